"""API of what became of a rights owner's reports: its subjects' outcomes and its enforcement
statistics. Thin views: validate, call the selectors, render; every read audited."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.roles import Capability
from sharing.outcomes import selectors, statistics
from sharing.outcomes import serializers as s


class OutcomesApi(HubListApi):
    """GET lists, a page at a time, each subject your organisation's accepted reports name and what became of it."""

    required_capability = Capability.REPORT_READ
    output_serializer = s.SubjectOutcomeOutput
    audit_object_type = "subject"

    def list_queryset(self):
        return selectors.owner_subjects(actor=self.actor)

    def page_audit(self, page, *, filters):
        selectors.outcomes_page_audit(actor=self.actor, page=page)

    @extend_schema(
        responses={200: s.SubjectOutcomeOutput(many=True)},
        summary="What became of the sellers your organisation reported",
    )
    def get(self, request):
        return super().get(request)

    def page_rows(self, page: list) -> list:
        return selectors.subject_outcomes(actor=self.actor, subjects=page)


class StatisticsApi(HubApiView):
    required_capability = Capability.REPORT_READ
    audit_object_type = "statistics"

    @extend_schema(
        parameters=[
            OpenApiParameter("period", enum=statistics.Period.values, default=statistics.Period.MONTH),
            OpenApiParameter("periods", int, default=statistics.DEFAULT_PERIODS),
        ],
        responses={200: s.StatisticsOutput},
        summary="Your organisation's enforcement statistics, period by period",
    )
    def get(self, request):
        payload = s.StatisticsInput(data=request.query_params)
        payload.is_valid(raise_exception=True)
        figures = statistics.enforcement_statistics(
            actor=self.actor,
            period=payload.validated_data["period"],
            count=payload.validated_data["periods"],
        )
        statistics.statistics_audit(actor=self.actor, figures=figures)
        return Response(s.StatisticsOutput(figures).data)
