"""Input and output serializers of the reports API. Outputs list their fields; none is raw."""

from __future__ import annotations

from rest_framework import serializers

from sharing.models import Report

# Re-exported: the API imports every input from here; the pages from inputs.py.
from sharing.reports.inputs import ReportSubmitInput  # noqa: F401


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
    urgent = serializers.BooleanField(
        source="live_urgent", read_only=True, help_text="Flagged urgent: it names a live-stream room"
    )

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
            "urgent",
            "urgency_reason",
            "live_starts_at",
            "review_target_at",
        ]

    def get_identifier_types(self, report: Report) -> list[str]:
        return sorted({link.token.identifier_type for link in report.identifiers.all()})

    def get_identifier_count(self, report: Report) -> int:
        return len(report.identifiers.all())


class ReviewReportOutput(ReportOutput):
    reporter_kind = serializers.CharField(source="reporter_organisation.kind")

    class Meta(ReportOutput.Meta):
        fields = [*ReportOutput.Meta.fields, "reporter_kind"]
