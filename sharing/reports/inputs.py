"""Report and evidence input validation, shared by reports, disputes and court orders (API and pages)."""

from __future__ import annotations

import binascii

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.models import Category, IpType, VerificationLevel
from sharing.reports.services.reports import EvidenceFile, ReportSubmission, evidence_decode
from sharing.subjects.inputs import choice_field, identifiers_field, raw_identifiers


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


class ReportSubmitInput(serializers.Serializer):
    identifiers = identifiers_field()
    ip_type = choice_field(IpType.choices, "IP type")
    category = choice_field(Category.choices, "category")
    verification_level = choice_field(VerificationLevel.choices, "verification level")
    statement = serializers.CharField(max_length=20000)
    evidence = ListField(
        child=EvidenceInput(), required=False, default=list, max_length=settings.HUB_MAX_EVIDENCE_FILES
    )
    right_registration_number = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The right's registration or certificate number",
    )
    right_territory = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        allow_blank=True,
        default="",
        help_text="Where the right is registered (ISO 3166-1 alpha-2)",
        error_messages={"invalid": _("Give a two-letter ISO country code.")},
    )
    right_holder = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Who holds the right, as registered",
    )
    # A valid notice carries it (seed 000; DSA Art. 16(2)(d)): required on the API as on the page.
    authenticity_guaranteed = serializers.BooleanField(
        help_text="The reporter's written guarantee that the notice is authentic (recorded with its time); must be true",
        error_messages={"required": _("Give the written guarantee of authenticity.")},
    )

    def validate_authenticity_guaranteed(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(gettext("Give the written guarantee of authenticity."))
        return value

    def to_submission(self) -> ReportSubmission:
        data = self.validated_data
        return ReportSubmission(
            identifiers=raw_identifiers(data["identifiers"]),
            ip_type=data["ip_type"],
            category=data["category"],
            verification_level=data["verification_level"],
            statement=data["statement"],
            evidence=[
                EvidenceFile(e["name"], e["content_type"], e["content_base64"]) for e in data["evidence"]
            ],
            right_registration_number=data["right_registration_number"],
            right_territory=data["right_territory"],
            right_holder=data["right_holder"],
            authenticity_guaranteed=data["authenticity_guaranteed"],
        )
