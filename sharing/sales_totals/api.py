"""API of cross-platform sales totals: requesters ask and fetch; members see their tasks and answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.roles import Capability
from sharing.sales_totals import selectors
from sharing.sales_totals import serializers as s
from sharing.sales_totals.inputs import DeclineInput
from sharing.sales_totals.services.sales_totals import (
    Submission,
    sales_totals_decline,
    sales_totals_request,
    sales_totals_submit,
)


@extend_schema_view(
    get=extend_schema(
        responses={200: s.SalesTotalsRequestOutput(many=True)},
        summary="Your organisation's sales totals requests",
    )
)
class SalesTotalsRequestsApi(HubListApi):
    """GET lists your organisation's requests; POST asks for a listed seller's sales totals."""

    required_capability = Capability.SALES_TOTALS_REQUEST
    audit_object_type = "salestotalsrequest"
    output_serializer = s.SalesTotalsRequestOutput

    def list_queryset(self):
        return selectors.requests_visible_to(actor=self.actor)

    def page_audit(self, page, *, filters):
        selectors.requests_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=s.SalesTotalsRequestInput,
        responses={201: s.SalesTotalsRequestOutput},
        summary="Ask for a listed seller's sales totals under your Paillier key (hubctl sales-totals request)",
        examples=[
            OpenApiExample(
                "A year's totals in euros",
                request_only=True,
                value={
                    "subject": "5b0d8a3e-7c1f-4e2a-9b6d-3f8e1c2a4d70",
                    "period_start": "2025-01-01",
                    "period_end": "2025-12-31",
                    "currency": "EUR",
                    "public_key": "2519590847565789349402718324004839857142928212620403202777713783604366202070…",
                },
            )
        ],
    )
    def post(self, request):
        payload = s.SalesTotalsRequestInput(data=request.data)
        payload.is_valid(raise_exception=True)
        created = sales_totals_request(ask=payload.ask(payload.validated_data), actor=self.actor)
        return Response(s.SalesTotalsRequestOutput(created).data, status=status.HTTP_201_CREATED)


class SalesTotalsRequestDetailApi(HubApiView):
    required_capability = Capability.SALES_TOTALS_REQUEST
    audit_object_type = "salestotalsrequest"

    @extend_schema(
        responses={200: s.SalesTotalsRequestOutput},
        summary="One request: once released, the encrypted aggregate and the hub's signed statement",
    )
    def get(self, request, request_id):
        return Response(
            s.SalesTotalsRequestOutput(selectors.request_read(actor=self.actor, public_id=request_id)).data
        )


@extend_schema_view(
    get=extend_schema(
        responses={200: s.SalesTotalsTaskOutput(many=True)}, summary="Your organisation's sales totals tasks"
    )
)
class SalesTotalsTasksApi(HubListApi):
    required_capability = Capability.SALES_TOTALS_CONTRIBUTE
    audit_object_type = "salestotalstask"
    output_serializer = s.SalesTotalsTaskOutput

    def list_queryset(self):
        return selectors.tasks_visible_to(actor=self.actor)

    def page_audit(self, page, *, filters):
        selectors.tasks_page_audit(actor=self.actor, page=page)

    def page_rows(self, page):
        return selectors.tasks_with_own_matches(actor=self.actor, tasks=list(page))


class SalesTotalsTaskDetailApi(HubApiView):
    required_capability = Capability.SALES_TOTALS_CONTRIBUTE
    audit_object_type = "salestotalstask"

    @extend_schema(responses={200: s.SalesTotalsTaskOutput}, summary="One task, with the requester's key")
    def get(self, request, task_id):
        return Response(_task_output(self.actor, selectors.task_read(actor=self.actor, public_id=task_id)))


class SalesTotalsSubmitApi(HubApiView):
    required_capability = Capability.SALES_TOTALS_CONTRIBUTE
    audit_object_type = "salestotalstask"

    @extend_schema(
        request=s.SubmitInput,
        responses={200: s.SalesTotalsTaskOutput},
        summary="Answer with your figures encrypted under the requester's key (hubctl sales-totals submit)",
        examples=[
            OpenApiExample(
                "Three ciphertexts (short here: under a 3072-bit key each has about 1,850 digits)",
                request_only=True,
                value={
                    "ciphertexts": {
                        "gross_minor": "27182818284590452353602874713526624977572",
                        "orders": "16180339887498948482045868343656381177203",
                        "units": "14142135623730950488016887242096980785697",
                    },
                    "accounts": 7,
                },
            )
        ],
    )
    def post(self, request, task_id):
        payload = s.SubmitInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        task = selectors.task_get(actor=self.actor, public_id=task_id)
        answered = sales_totals_submit(
            task=task,
            submission=Submission(ciphertexts=dict(data["ciphertexts"]), accounts=data["accounts"]),
            actor=self.actor,
        )
        return Response(_task_output(self.actor, answered))


class SalesTotalsDeclineApi(HubApiView):
    required_capability = Capability.SALES_TOTALS_CONTRIBUTE
    audit_object_type = "salestotalstask"

    @extend_schema(
        request=DeclineInput,
        responses={200: s.SalesTotalsTaskOutput},
        summary="Decline your task with a reason",
        examples=[
            OpenApiExample(
                "No sales",
                request_only=True,
                value={"reason": "The matched accounts were closed before the period."},
            )
        ],
    )
    def post(self, request, task_id):
        payload = DeclineInput(data=request.data)
        payload.is_valid(raise_exception=True)
        task = selectors.task_get(actor=self.actor, public_id=task_id)
        declined = sales_totals_decline(task=task, reason=payload.validated_data["reason"], actor=self.actor)
        return Response(_task_output(self.actor, declined))


def _task_output(actor, task) -> dict:
    (task,) = selectors.tasks_with_own_matches(actor=actor, tasks=[task])
    return s.SalesTotalsTaskOutput(task).data
