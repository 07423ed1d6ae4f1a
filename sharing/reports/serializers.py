"""Input and output serializers of the reports API. Outputs list their fields; none is raw."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.models import Category, IpType, Report, VerificationLevel
from sharing.reports.inputs import EvidenceInput
from sharing.reports.services.reports import EvidenceFile, ReportSubmission
from sharing.subjects.inputs import choice_field, identifiers_field, raw_identifiers


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
        max_length=100, required=False, default="", help_text="The right's registration or certificate number"
    )
    right_territory = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        default="",
        help_text="Where the right is registered (ISO 3166-1 alpha-2)",
        error_messages={"invalid": _("Give a two-letter ISO country code.")},
    )
    right_holder = serializers.CharField(
        max_length=200, required=False, default="", help_text="Who holds the right, as registered"
    )
    authenticity_guaranteed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The reporter's written guarantee that the notice is authentic (recorded with its time)",
    )

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


class ReviewDecisionInput(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=2000)


class ReportAcceptInput(ReviewDecisionInput):
    decision_verified = serializers.BooleanField(
        default=False, help_text="You checked the administrative decision or court judgment the report claims"
    )


class ReportOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    identifier_types = serializers.SerializerMethodField()
    identifier_count = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "status",
            "ip_type",
            "category",
            "verification_level",
            "decision_verified",
            "fast_tracked",
            "identifier_types",
            "identifier_count",
            "evidence_count",
            "right_registration_number",
            "right_territory",
            "right_holder",
            "authenticity_guaranteed_at",
            "disputed",
            "submitted_at",
            "reviewed_at",
            "review_reason",
            "expires_at",
            "closed_at",
        ]

    def get_identifier_types(self, report: Report) -> list[str]:
        return sorted({link.token.identifier_type for link in report.identifiers.all()})

    def get_identifier_count(self, report: Report) -> int:
        return len(report.identifiers.all())


class ReviewReportOutput(ReportOutput):
    reporter_kind = serializers.CharField(source="reporter_organisation.kind")

    class Meta(ReportOutput.Meta):
        fields = [*ReportOutput.Meta.fields, "reporter_kind"]
