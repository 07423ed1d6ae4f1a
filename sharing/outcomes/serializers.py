"""Inputs and outputs of the outcomes API. Outputs list their fields: no reporter, member or raw value."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.checks.serializers import ParcelEventCountsOutput, SuppressedCountOutput

# Re-exported: the API imports every input from here; the page from inputs.py.
from sharing.outcomes.inputs import StatisticsInput  # noqa: F401


class ListingStateOutput(serializers.Serializer):
    """The check answer a member holding your identifiers of the subject gets now."""

    level = serializers.CharField()
    risk = serializers.IntegerField()
    identifier_types = ListField(child=serializers.CharField(), source="matched_types")
    independent_reporters = serializers.IntegerField(source="reporting_organisations")
    live_reports = serializers.IntegerField(source="reports_matched")
    disputed = serializers.BooleanField()
    linked_store_accounts = serializers.IntegerField()
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)


class DisputeOutcomeOutput(serializers.Serializer):
    filed_at = serializers.DateTimeField()
    state = serializers.CharField()
    response_due = serializers.DateField()
    decided_at = serializers.DateTimeField(allow_null=True)


class NewAccountsOutput(serializers.Serializer):
    count = serializers.IntegerField(source="new_accounts")
    identifier_types = ListField(child=serializers.CharField(), source="new_account_types")


class SubjectOutcomeOutput(serializers.Serializer):
    subject_id = serializers.CharField(source="public_id")
    first_accepted_at = serializers.DateTimeField()
    your_accepted_reports = serializers.IntegerField(source="your_reports")
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="the latest expiry of your accepted reports"
    )
    state = ListingStateOutput()
    new_accounts = serializers.SerializerMethodField()
    checked_by_organisations = SuppressedCountOutput(source="checked_by")
    acted_on_by_organisations = SuppressedCountOutput(source="acted_by")
    parcel_events = ParcelEventCountsOutput(
        source="state.parcel_events",
        help_text=(
            "Parcel events couriers recorded against the seller, per kind (seized, refused, returned, "
            "customs_hold): counts only, suppressed below `fewer_than` recording organisations"
        ),
    )
    disputes = DisputeOutcomeOutput(many=True)

    @extend_schema_field(NewAccountsOutput)
    def get_new_accounts(self, outcome) -> dict:
        return NewAccountsOutput(outcome).data


class PeriodStatisticsOutput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reports_filed = serializers.IntegerField(source="filed")
    reports_accepted = serializers.IntegerField(source="accepted")
    median_acceptance_hours = serializers.FloatField(allow_null=True)
    hits = SuppressedCountOutput()
    hits_by_purpose = serializers.DictField(
        child=SuppressedCountOutput(),
        help_text="the hits by the purpose their check, bulk job or watch entry stated, one key per purpose",
    )
    member_actions = SuppressedCountOutput(source="actions")
    reappearances = serializers.IntegerField()


class StatisticsOutput(serializers.Serializer):
    period = serializers.CharField()
    periods = PeriodStatisticsOutput(many=True)
