"""What the parcel events API reads and answers."""

from __future__ import annotations

from rest_framework import serializers

from hub.serializer_fields import ListField

# Re-exported: the API imports every input from here; the page from inputs.py.
from sharing.parcels.inputs import ParcelEventInput  # noqa: F401


class ParcelEventOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    origin_region = serializers.CharField()
    category = serializers.CharField()
    identifier_types = ListField(
        child=serializers.CharField(), help_text="the types of the identifiers given (never their values)"
    )
    report_id = serializers.UUIDField(source="report.public_id", allow_null=True, default=None)
    check_id = serializers.CharField(source="hit_reference", allow_blank=True)
    recorded_at = serializers.DateTimeField()
