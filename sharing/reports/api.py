"""API of reports: submit, list, read, retract, and the operators' review. Thin views: validate, call
one service or selector, render."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.audit.models import LegalBasis
from accounts.roles import Capability
from sharing.models import ReportStatus
from sharing.reports import selectors
from sharing.reports import serializers as s
from sharing.reports.services import reports


class _ReportListApi(HubListApi):
    """A list of reports, narrowed by ?status=, each page audited with its report ids."""

    audit_object_type = "report"
    legal_basis: str

    def filtered(self, queryset):
        wanted = self.request.query_params.get("status")
        if not wanted:
            return queryset, {}
        if wanted not in ReportStatus.values:
            raise ValidationError(
                {
                    "status": [
                        gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(ReportStatus.values)}
                    ]
                }
            )
        return queryset.filter(status=wanted), {"status": wanted}

    def page_audit(self, page, *, filters):
        selectors.reports_page_audit(actor=self.actor, page=page, legal_basis=self.legal_basis)


@extend_schema_view(
    get=extend_schema(
        responses={200: s.ReportOutput(many=True)},
        summary="List your organisation's reports",
        parameters=[OpenApiParameter("status", enum=ReportStatus.values)],
    )
)
class ReportsApi(_ReportListApi):
    """GET lists your organisation's reports; POST submits a new one."""

    required_capability = {"GET": Capability.REPORT_READ, "POST": Capability.REPORT_SUBMIT}
    output_serializer = s.ReportOutput
    legal_basis = LegalBasis.MEMBERSHIP_TERMS
    quota_methods = frozenset({"post"})  # urgent reports have a daily number (429; services/urgency.py)

    def list_queryset(self):
        return selectors.reports_of_organisation(actor=self.actor)

    @extend_schema(
        request=s.ReportSubmitInput,
        responses={201: s.ReportOutput},
        summary="Report an infringer",
        examples=[
            OpenApiExample(
                "A test purchase",
                request_only=True,
                value={
                    "identifiers": [
                        {"type": "phone", "value": "+86 138 0013 8000"},
                        {"type": "store_url", "value": "https://shop123456.taobao.com/"},
                    ],
                    "ip_type": "trademark",
                    "category": "counterfeit",
                    "verification_level": "rights_owner_verified",
                    "statement": "Test purchase, order 42: counterfeit handbags.",
                    "right_registration_number": "12345678",
                    "right_territory": "CN",
                    "right_holder": "Example Brand Co., Ltd.",
                    "authenticity_guaranteed": True,
                },
            )
        ],
    )
    def post(self, request):
        payload = s.ReportSubmitInput(data=request.data)
        payload.is_valid(raise_exception=True)
        report = reports.report_submit(submission=payload.to_submission(), actor=self.actor)
        return Response(s.ReportOutput(report).data, status=status.HTTP_201_CREATED)


class ReportDetailApi(HubApiView):
    required_capability = Capability.REPORT_READ
    audit_object_type = "report"

    @extend_schema(responses={200: s.ReportOutput}, summary="One of your organisation's reports")
    def get(self, request, report_id):
        report = selectors.report_read(actor=self.actor, public_id=report_id)
        return Response(s.ReportOutput(report).data)


class ReportRetractApi(HubApiView):
    required_capability = Capability.REPORT_RETRACT
    audit_object_type = "report"

    @extend_schema(
        request=None, responses={200: s.ReportOutput}, summary="Retract your organisation's report"
    )
    def post(self, request, report_id):
        report = selectors.report_get(actor=self.actor, public_id=report_id)
        return Response(s.ReportOutput(reports.report_retract(report=report, actor=self.actor)).data)


@extend_schema_view(
    get=extend_schema(
        responses={200: s.ReviewReportOutput(many=True)},
        summary="Reports awaiting or past review",
        parameters=[OpenApiParameter("status", enum=ReportStatus.values)],
    )
)
class ReviewQueueApi(_ReportListApi):
    required_capability = Capability.REPORT_REVIEW
    output_serializer = s.ReviewReportOutput
    legal_basis = LegalBasis.OPERATOR_DUTY

    def list_queryset(self):
        return selectors.reports_for_review_listed(actor=self.actor)


class ReportAcceptApi(HubApiView):
    required_capability = Capability.REPORT_REVIEW
    audit_object_type = "report"

    @extend_schema(
        request=s.ReportAcceptInput,
        examples=[
            OpenApiExample(
                "Evidence checked", request_only=True, value={"reason": "Test purchase and receipts checked."}
            )
        ],
        responses={200: s.ReviewReportOutput},
        summary="Accept a pending report",
    )
    def post(self, request, report_id):
        payload = s.ReportAcceptInput(data=request.data)
        payload.is_valid(raise_exception=True)
        report = selectors.report_get(actor=self.actor, public_id=report_id, for_review=True)
        report = reports.report_accept(report=report, actor=self.actor, **payload.validated_data)
        return Response(s.ReviewReportOutput(report).data)


class ReportRejectApi(HubApiView):
    required_capability = Capability.REPORT_REVIEW
    audit_object_type = "report"

    @extend_schema(
        request=s.ReviewDecisionInput,
        examples=[
            OpenApiExample(
                "No evidence", request_only=True, value={"reason": "No evidence of infringement attached."}
            )
        ],
        responses={200: s.ReviewReportOutput},
        summary="Reject a pending report",
    )
    def post(self, request, report_id):
        payload = s.ReviewDecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        report = selectors.report_get(actor=self.actor, public_id=report_id, for_review=True)
        report = reports.report_reject(
            report=report, reason=payload.validated_data["reason"], actor=self.actor
        )
        return Response(s.ReviewReportOutput(report).data)
