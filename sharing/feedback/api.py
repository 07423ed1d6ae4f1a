"""API of feedback from recipients: POST/GET plain feedback, and POST a STIX 2.1 sighting. Thin views."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.roles import Capability
from sharing.feed.services.content import FEEDBACK_EXTENSION_ID
from sharing.feedback import serializers as s
from sharing.feedback.services.feedback import (
    FeedbackGiven,
    feedback_current_of,
    feedback_page_audit,
    feedback_record,
    feedback_sellers,
    indicator_of,
)
from sharing.feedback.services.sightings import given_from_extension, sighting_content


@extend_schema_view(
    get=extend_schema(
        responses={200: s.FeedbackOutput(many=True)}, summary="Your organisation's current feedback"
    )
)
class FeedbackApi(HubListApi):
    """GET lists your organisation's current feedback; POST gives feedback on a seller you matched."""

    required_capability = Capability.FEEDBACK_RECORD
    audit_object_type = "feedback"
    output_serializer = s.FeedbackOutput

    def list_queryset(self):
        return feedback_current_of(actor=self.actor)

    def page_audit(self, page, *, filters):
        feedback_page_audit(actor=self.actor, page=page)

    def page_rows(self, page: list) -> list:
        return feedback_sellers(actor=self.actor, rows=page)

    @extend_schema(
        request=s.FeedbackInput,
        responses={201: s.FeedbackRecordedOutput},
        summary="Say what you did about a seller your check matched",
        examples=[
            OpenApiExample(
                "Acted",
                request_only=True,
                value={
                    "check_id": "0b9c7b1e-3d8e-4c1f-9a47-2f6f2c8d5e10",
                    "outcome": "acted",
                    "action": "delisted",
                    "reasons": ["test_purchase"],
                },
            )
        ],
    )
    def post(self, request):
        payload = s.FeedbackInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        rows = feedback_record(
            actor=self.actor,
            given=FeedbackGiven(data["outcome"], data["action"], tuple(data["reasons"]), data["note"]),
            check_id=data.get("check_id"),
            indicator=data.get("indicator"),
        )
        for row in rows:
            row.indicator = indicator_of(row.subject_id)
        feedback_sellers(actor=self.actor, rows=rows)
        return Response(s.FeedbackRecordedOutput({"feedback": rows}).data, status=status.HTTP_201_CREATED)


class SightingApi(HubApiView):
    required_capability = Capability.FEEDBACK_RECORD
    audit_object_type = "feedback"

    @extend_schema(
        request=s.SightingInput,
        responses={201: OpenApiTypes.OBJECT},
        summary="Give feedback as a STIX 2.1 sighting of the seller's indicator; answered with the stored sighting",
        examples=[
            OpenApiExample(
                "False positive",
                request_only=True,
                value={
                    "type": "sighting",
                    "spec_version": "2.1",
                    "sighting_of_ref": "indicator--3c5a2f1e-9b8d-4e7a-a1c2-5d6e7f8a9b0c",
                    "extensions": {
                        FEEDBACK_EXTENSION_ID: {
                            "extension_type": "property-extension",
                            "x_iih_outcome": "false_positive",
                            "x_iih_reasons": ["different_seller"],
                        }
                    },
                },
            )
        ],
    )
    def post(self, request):
        payload = s.SightingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        (row,) = feedback_record(
            actor=self.actor,
            given=given_from_extension(data["extensions"][FEEDBACK_EXTENSION_ID]),
            indicator=data["sighting_of_ref"],
        )
        return Response(
            sighting_content(row, indicator=data["sighting_of_ref"]), status=status.HTTP_201_CREATED
        )
