"""What the feedback API reads and answers: plain feedback, and the same as a STIX 2.1 sighting."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.feed.services.content import FEEDBACK_EXTENSION_ID
from sharing.feedback.services.feedback import feedback_given_problems
from sharing.models import FeedbackAction, FeedbackOutcome, FeedbackReason

INDICATOR_ID = r"^indicator--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
NOTE_MAX = 2000


class FeedbackInput(serializers.Serializer):
    check_id = serializers.UUIDField(
        required=False, help_text="the check_id of your check that matched the seller"
    )
    indicator = serializers.RegexField(
        INDICATOR_ID, required=False, help_text="or the seller's indicator id in the feed"
    )
    outcome = serializers.ChoiceField(choices=FeedbackOutcome.choices)
    action = serializers.ChoiceField(
        choices=FeedbackAction.choices, required=False, allow_blank=True, default=""
    )
    reasons = ListField(
        child=serializers.ChoiceField(choices=FeedbackReason.choices),
        required=False,
        default=list,
        max_length=6,
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX,
        help_text="seen by your organisation only",
    )

    def validate(self, attrs):
        problems = feedback_given_problems(outcome=attrs["outcome"], action=attrs["action"])
        if ("check_id" in attrs) == ("indicator" in attrs):
            problems["check_id"] = [gettext("Give either the check's id or the seller's indicator id.")]
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class FeedbackOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    indicator = serializers.CharField(allow_null=True, help_text="the seller's indicator id in the feed")
    subject_id = serializers.UUIDField(
        source="seller.subject_id", allow_null=True, help_text="the seller (subject); null once it is gone"
    )
    matched_types = ListField(
        child=serializers.CharField(),
        source="seller.matched_types",
        help_text="the identifier types your screening matched (never their values)",
    )
    level = serializers.CharField(source="seller.level", allow_null=True, help_text="the seller's level now")
    matched_at = serializers.DateTimeField(
        source="seller.matched_at", allow_null=True, help_text="when your screening first matched the seller"
    )
    outcome = serializers.CharField()
    action = serializers.CharField()
    reasons = ListField(child=serializers.CharField())
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class FeedbackRecordedOutput(serializers.Serializer):
    feedback = FeedbackOutput(many=True, help_text="one per seller the check matched")


class FeedbackExtensionInput(serializers.Serializer):
    extension_type = serializers.ChoiceField(choices=["property-extension"])
    x_iih_outcome = serializers.ChoiceField(choices=FeedbackOutcome.choices)
    x_iih_action = serializers.ChoiceField(choices=FeedbackAction.choices, required=False)
    x_iih_reasons = ListField(
        child=serializers.ChoiceField(choices=FeedbackReason.choices), required=False, max_length=6
    )
    x_iih_note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)

    def validate(self, attrs):
        problems = feedback_given_problems(
            outcome=attrs["x_iih_outcome"], action=attrs.get("x_iih_action", "")
        )
        if problems:
            raise serializers.ValidationError({"x_iih_action": problems["action"]})
        return attrs


class SightingInput(serializers.Serializer):
    """A STIX 2.1 sighting of a subject's indicator, carrying the feedback in the hub's extension."""

    type = serializers.ChoiceField(choices=["sighting"])
    spec_version = serializers.ChoiceField(choices=["2.1"])
    sighting_of_ref = serializers.RegexField(INDICATOR_ID)
    extensions = serializers.DictField()

    def validate_extensions(self, value):
        if FEEDBACK_EXTENSION_ID not in value:
            raise serializers.ValidationError(
                gettext("Carry the feedback in the extension %(id)s.") % {"id": FEEDBACK_EXTENSION_ID}
            )
        extension = FeedbackExtensionInput(data=value[FEEDBACK_EXTENSION_ID])
        if not extension.is_valid():
            raise serializers.ValidationError({FEEDBACK_EXTENSION_ID: extension.errors})
        return {FEEDBACK_EXTENSION_ID: extension.validated_data}
