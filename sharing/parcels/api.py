"""API of parcel events: POST records one of your organisation's, GET lists your organisation's own. Thin views."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts.api.lists import HubListApi
from accounts.roles import Capability
from sharing.parcels import serializers as s
from sharing.parcels.services import (
    parcel_event_record,
    parcel_events_described,
    parcel_events_of,
    parcel_events_page_audit,
)


@extend_schema_view(
    get=extend_schema(
        responses={200: s.ParcelEventOutput(many=True)}, summary="Your organisation's parcel events"
    )
)
class ParcelEventsApi(HubListApi):
    # Naming a check's hit tells whether the identifiers belong to the seller it matched (services.py).
    match_revealing_methods = frozenset({"post"})
    """GET lists your organisation's parcel events; POST records one (logistics members)."""

    required_capability = Capability.PARCEL_RECORD
    audit_object_type = "parcel_event"
    output_serializer = s.ParcelEventOutput

    def list_queryset(self):
        return parcel_events_of(actor=self.actor)

    def page_audit(self, page, *, filters):
        parcel_events_page_audit(actor=self.actor, page=page)

    def page_rows(self, page: list) -> list:
        return parcel_events_described(page)

    @extend_schema(
        request=s.ParcelEventInput,
        responses={201: s.ParcelEventOutput},
        summary="Record a parcel seized, refused, returned or held at customs",
        examples=[
            OpenApiExample(
                "Refused at pick-up",
                request_only=True,
                value={
                    "kind": "refused",
                    "occurred_at": "2026-11-30T09:15:00Z",
                    "origin_region": "CN-GD",
                    "category": "counterfeit",
                    "identifiers": [
                        {"type": "courier_sender_account", "value": "sf:gang01"},
                        {"type": "waybill", "value": "sf:SF1234567890123"},
                    ],
                    "check_id": "0b9c7b1e-3d8e-4c1f-9a47-2f6f2c8d5e10",
                },
            )
        ],
    )
    def post(self, request):
        payload = s.ParcelEventInput(data=request.data)
        payload.is_valid(raise_exception=True)
        event = parcel_event_record(actor=self.actor, given=payload.to_given())
        return Response(s.ParcelEventOutput(event).data, status=status.HTTP_201_CREATED)
