"""Input and output serializers of the due process API (disputes, appeals, reputation, policies)."""

from __future__ import annotations

from rest_framework import serializers

from hub.serializer_fields import ListField

# Re-exported: the API imports every input from here; the pages from inputs.py.
from sharing.due_process.inputs import AppealInput, DisputeAnswerInput  # noqa: F401
from sharing.models import Category, Dispute, DisputedReport, Notification, ReportAppeal, VerificationLevel
from sharing.reports.inputs import EvidenceInput
from sharing.reports.services.notifications import notification_text, notification_title
from sharing.subjects.inputs import identifiers_field


class DisputeFileInput(serializers.Serializer):
    identifiers = identifiers_field()
    grounds = serializers.CharField(max_length=10000)
    evidence = ListField(child=EvidenceInput(), required=False, default=list, max_length=10)


class DisputeDecideInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["upheld", "overturned"], help_text="upheld: the reports stand")
    reason = serializers.CharField(min_length=3, max_length=2000)


class DisputePauseInput(serializers.Serializer):
    working_days = serializers.IntegerField(
        min_value=1, max_value=19, help_text="how long the clock stops, in working days"
    )
    reason = serializers.CharField(
        min_length=3, max_length=2000, help_text="e.g. the complaint is being notarised"
    )


class CoveredReportOutput(serializers.ModelSerializer):
    """One covered report and its reporter's clock."""

    report = serializers.UUIDField(source="report.public_id")

    class Meta:
        model = DisputedReport
        fields = ["report", "state", "response_due", "working_days", "paused_working_days", "answered_at"]


class DisputeOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    reports = serializers.SerializerMethodField()
    covered = CoveredReportOutput(many=True, read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "status",
            "grounds",
            "filed_at",
            "response_due",
            "answered_at",
            "decided_at",
            "decision_reason",
            "reports",
            "covered",
        ]

    def get_reports(self, dispute: Dispute) -> list[str]:
        return [str(row.report.public_id) for row in dispute.covered.all()]


class NotificationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.SerializerMethodField(
        help_text="what kind of notice it is, in the language asked for"
    )
    message = serializers.SerializerMethodField(
        help_text="the notice in the language asked for (Accept-Language), filled from `data`"
    )

    class Meta:
        model = Notification
        # read_at: when a member of the organisation marked it read on the notifications page (null: unread).
        fields = ["id", "kind", "title", "message", "data", "created_at", "read_at"]

    def get_title(self, notification: Notification) -> str:
        return notification_title(notification)

    def get_message(self, notification: Notification) -> str:
        return notification_text(notification)


class ReputationOutput(serializers.Serializer):
    accepted = serializers.IntegerField()
    upheld = serializers.IntegerField()
    overturned = serializers.IntegerField()
    retracted = serializers.IntegerField()
    expired = serializers.IntegerField()
    trusted_flagger = serializers.BooleanField()
    override = serializers.CharField()
    reporting_suspended_until = serializers.DateTimeField(allow_null=True)
    suspension_reason = serializers.CharField()
    misuse_warning_until = serializers.DateTimeField(
        allow_null=True, help_text="warned under the misuse rule: improve by then"
    )


class CounterNoticeOutput(serializers.Serializer):
    filed = serializers.IntegerField()
    failed = serializers.IntegerField(
        help_text="decided upheld: the listing stood against the counter-notice"
    )
    succeeded = serializers.IntegerField(help_text="decided overturned")
    lapsed = serializers.IntegerField()


class OrganisationStandingOutput(ReputationOutput):
    counter_notices = CounterNoticeOutput(
        help_text="disputes this organisation filed in the last 90 days, by outcome"
    )


class ReputationOverrideInput(serializers.Serializer):
    override = serializers.ChoiceField(
        choices=["", "grant", "revoke"], help_text="empty: back to the automatic rule"
    )
    reason = serializers.CharField(min_length=3, max_length=2000)


class AppealDecideInput(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["granted", "refused"], help_text="granted: the report is accepted"
    )
    reason = serializers.CharField(min_length=3, max_length=2000)


class AppealOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    report = serializers.UUIDField(source="report.public_id")

    class Meta:
        model = ReportAppeal
        fields = ["id", "report", "status", "filed_at", "decided_at", "decision_reason"]


class PolicyInput(serializers.Serializer):
    strikes = serializers.IntegerField(min_value=1, max_value=100)
    window_months = serializers.IntegerField(min_value=1, max_value=120)
    one_strike_verification_levels = ListField(
        child=serializers.ChoiceField(choices=VerificationLevel.choices), default=list
    )
    one_strike_categories = ListField(child=serializers.ChoiceField(choices=Category.choices), default=list)
