"""What the sales totals API and pages both validate: a member's decline (the page posts it too)."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import serializers


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="kept with your task; never shown to the requester"
    )

    def validate_reason(self, value):
        if not value.strip():
            raise serializers.ValidationError(gettext("A reason is required."))
        return value
