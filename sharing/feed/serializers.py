"""Input and output serializers of the feed subscriptions API (the TAXII views render STIX themselves)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.purpose_field import PurposeField
from sharing.models import FeedSubscription


class FeedSubscribeInput(serializers.Serializer):
    collection = serializers.CharField(
        max_length=64, help_text="A TAXII collection id your organisation reads"
    )
    purpose = PurposeField()


class FeedSubscriptionOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = FeedSubscription
        fields = ["id", "collection", "purpose", "created_at"]
