"""Evidence input validation, shared by reports, disputes and court orders (API and pages)."""

from __future__ import annotations

import binascii

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import serializers

from sharing.reports.services.reports import evidence_decode


class EvidenceInput(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=100, default="application/octet-stream")
    content_base64 = serializers.CharField()

    def validate_content_base64(self, value: str) -> bytes:
        try:
            content = evidence_decode(value)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError(gettext("Not valid base64.")) from None
        if len(content) > settings.HUB_MAX_EVIDENCE_BYTES:
            raise serializers.ValidationError(
                gettext("An evidence file may be at most %(size)s bytes.")
                % {"size": settings.HUB_MAX_EVIDENCE_BYTES}
            )
        return content
