"""What the listed person's pages take: validated here, so every rule has one place."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sharing.models.subject_access import PROVABLE_TYPES

IDENTIFIER_TYPE_CHOICES = [(t, t) for t in PROVABLE_TYPES]


class CodeRequestInput(serializers.Serializer):
    identifier_type = serializers.ChoiceField(
        choices=IDENTIFIER_TYPE_CHOICES, error_messages={"invalid_choice": _("Choose email or phone.")}
    )
    value = serializers.CharField(max_length=254, trim_whitespace=True)


class CodeInput(serializers.Serializer):
    code = serializers.RegexField(r"^\s*\d{6}\s*$", error_messages={"invalid": _("The code is six digits.")})


class AppealInput(serializers.Serializer):
    grounds = serializers.CharField(min_length=10, max_length=5000)


class RectificationInput(serializers.Serializer):
    text = serializers.CharField(min_length=10, max_length=5000)
