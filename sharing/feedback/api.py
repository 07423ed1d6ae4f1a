"""API of feedback from recipients: POST/GET plain feedback, and POST a STIX 2.1 sighting. Thin views."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.roles import Capability
from sharing.feed.services.content import FEEDBACK_EXTENSION_ID
from sharing.feedback import serializers as s
from sharing.feedback.services.feedback import FeedbackGiven, feedback_current, feedback_record, indicator_of
from sharing.feedback.services.sightings import given_from_extension, sighting_content


def _output(rows) -> list[dict]:
    fields = ("public_id", "outcome", "action", "reasons", "note", "created_at")
    return [
        s.FeedbackOutput(
            {**{name: getattr(row, name) for name in fields}, "indicator": indicator_of(row.subject_id)}
        ).data
        for row in rows
    ]


class FeedbackApi(HubApiView):
    required_capability = Capability.FEEDBACK_RECORD
    audit_object_type = "feedback"

    @extend_schema(
        request=s.FeedbackInput,
        responses={201: s.FeedbackOutput(many=True)},
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
        return Response(_output(rows), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: s.FeedbackOutput(many=True)}, summary="Your organisation's current feedback"
    )
    def get(self, request):
        return Response(_output(feedback_current(actor=self.actor)))


class SightingApi(HubApiView):
    required_capability = Capability.FEEDBACK_RECORD
    audit_object_type = "feedback"

    @extend_schema(
        request=s.SightingInput, summary="Give feedback as a STIX 2.1 sighting of the seller's indicator"
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
            sighting_content(row, indicator=data["sighting_of_ref"]),
            status=status.HTTP_201_CREATED,
            content_type="application/stix+json;version=2.1",
        )
