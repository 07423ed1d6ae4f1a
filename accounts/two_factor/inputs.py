"""Input serializers for the two-factor pages (validated with accounts/web_access.py: api_input)."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import serializers


class CodeInput(serializers.Serializer):
    """A current TOTP code from the authenticator app, or (where allowed) a single-use recovery code."""

    code = serializers.CharField(max_length=32)

    def validate_code(self, value: str) -> str:
        code = value.replace(" ", "").replace("-", "")
        if not code.isalnum():
            raise serializers.ValidationError(gettext("Enter the code from your authenticator app."))
        return code.lower() if not code.isdigit() else code


class EnrolInput(CodeInput):
    """Confirming a new authenticator: a code from it, and when one is already enrolled, a code from that."""

    current_code = serializers.CharField(required=False, allow_blank=True, max_length=32)
