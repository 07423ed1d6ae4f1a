"""Input and output serializers of the watchlist and webhook API."""

from __future__ import annotations

from rest_framework import serializers

from accounts.purpose_field import PurposeField
from sharing.models import WatchEntry, WebhookEndpoint, WebhookOutbox
from sharing.subjects.inputs import identifiers_field
from sharing.watchlists.services.watchlists import watch_entry_purpose_allowed


class WatchAddInput(serializers.Serializer):
    identifiers = identifiers_field()
    ref = serializers.CharField(
        max_length=200,
        help_text="Your own reference for the seller (an account id); "
        "sent back in events. Do not put identifiers in it.",
    )
    purpose = PurposeField()


class WatchRestateInput(serializers.Serializer):
    purpose = PurposeField()


class WatchEntryOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    type = serializers.CharField(source="identifier_type")
    needs_purpose = serializers.SerializerMethodField(
        help_text="True when the entry has no purpose your organisation may state now: it reveals no "
        "matches until you restate one (PATCH this entry with a purpose)."
    )

    class Meta:
        model = WatchEntry
        fields = ["id", "ref", "type", "purpose", "needs_purpose", "created_at"]

    def get_needs_purpose(self, entry: WatchEntry) -> bool:
        return not watch_entry_purpose_allowed(entry)


class WatchAddOutput(serializers.Serializer):
    entries = WatchEntryOutput(many=True)


class WebhookRegisterInput(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000, help_text="https:// URL (http only to localhost outside production)"
    )


class WebhookEndpointOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "created_at"]


class WebhookRegisteredOutput(WebhookEndpointOutput):
    secret = serializers.CharField(help_text="The signing secret; shown only in this response")

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]


class WebhookDeliveryOutput(serializers.ModelSerializer):
    event_id = serializers.UUIDField()
    type = serializers.CharField(source="event_type")

    class Meta:
        model = WebhookOutbox
        fields = [
            "event_id",
            "type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
        ]
