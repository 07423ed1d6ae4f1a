"""Report and evidence input validation, shared by reports, disputes and court orders (API and pages)."""

from __future__ import annotations

import binascii

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hub.serializer_fields import ListField
from hubcore.identifiers.types import IdentifierType
from sharing.models import Category, IpType, UrgencyReason, VerificationLevel
from sharing.reports.services.reports import EvidenceFile, ReportSubmission, evidence_decode
from sharing.reports.services.urgency import LIVE_START_HORIZON, LIVE_START_TOLERANCE, Urgency
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
    ip_type = choice_field(IpType.choices, _("IP type"))
    category = choice_field(Category.choices, _("category"))
    verification_level = choice_field(VerificationLevel.choices, _("verification level"))
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

    # Urgency, only for a report naming a live-stream room (sharing/reports/services/urgency.py).
    urgent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Urgent: the report names a live-stream room whose harm is done within hours",
    )
    urgency_reason = choice_field(
        UrgencyReason.choices,
        _("urgency reason"),
        required=False,
        allow_blank=True,
        default="",
        help_text="Why it is urgent (with urgent): one of the listed reasons, never free text",
    )
    live_starts_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the live stream starts (with urgent; UTC unless an offset is given)",
    )

    def validate_authenticity_guaranteed(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(gettext("Give the written guarantee of authenticity."))
        return value

    def validate(self, data: dict) -> dict:
        errors: dict[str, list[str]] = {}
        if data.get("urgent"):
            if not any(item.get("type") == IdentifierType.LIVE_ROOM for item in data.get("identifiers", [])):
                errors["urgent"] = [gettext("Only a report that names a live-stream room can be urgent.")]
            if not data.get("urgency_reason"):
                errors["urgency_reason"] = [gettext("Choose why the report is urgent.")]
            starts, now = data.get("live_starts_at"), timezone.now()
            if starts and starts > now + LIVE_START_HORIZON:
                errors["live_starts_at"] = [gettext("A live stream more than 48 hours ahead is not urgent.")]
            elif (
                starts
                and data.get("urgency_reason") == UrgencyReason.LIVE_SCHEDULED
                and starts < now - LIVE_START_TOLERANCE
            ):
                errors["live_starts_at"] = [
                    gettext("A scheduled live stream starts in the future: give a start that is still ahead.")
                ]
            elif starts and starts < now - LIVE_START_HORIZON:
                errors["live_starts_at"] = [
                    gettext("A live stream that started more than 48 hours ago is not urgent.")
                ]
        else:
            if data.get("urgency_reason"):
                errors["urgency_reason"] = [gettext("Give a reason only for an urgent report.")]
            if data.get("live_starts_at"):
                errors["live_starts_at"] = [gettext("Give the stream's start only for an urgent report.")]
        if errors:
            raise serializers.ValidationError(errors)
        return data

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
            urgency=Urgency(data["urgency_reason"], data["live_starts_at"]) if data["urgent"] else None,
        )
