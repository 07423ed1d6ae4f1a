"""The parcel event input, validated alike by the API and the couriers' page."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers

from hubcore.identifiers import IdentifierInvalid
from sharing.models import Category, ParcelEventKind
from sharing.parcels.services import ParcelEventGiven, origin_region_normalise
from sharing.subjects.inputs import choice_field, identifiers_field, raw_identifiers
from sharing.subjects.services.identifier_problems import problem_text


class ParcelEventInput(serializers.Serializer):
    kind = choice_field(ParcelEventKind.choices, gettext_lazy("parcel event kind"))
    occurred_at = serializers.DateTimeField(help_text="when the parcel was seized, refused, returned or held")
    origin_region = serializers.CharField(
        max_length=6,
        help_text="where the parcel came from: ISO 3166-1 alpha-2 (CN) or an ISO 3166-2 subdivision (CN-GD)",
    )
    category = choice_field(Category.choices, gettext_lazy("category"))
    identifiers = identifiers_field()
    report_id = serializers.UUIDField(
        required=False, help_text="one of your organisation's reports this parcel is evidence toward"
    )
    check_id = serializers.UUIDField(
        required=False, help_text="or the check_id of your check that matched the sender (feedback on a hit)"
    )

    def validate_occurred_at(self, value):
        if value > timezone.now():
            raise serializers.ValidationError(gettext("The parcel event cannot be in the future."))
        return value

    def validate_origin_region(self, value: str) -> str:
        try:
            return origin_region_normalise(value)
        except IdentifierInvalid as exc:
            raise serializers.ValidationError(problem_text(exc)) from None

    def validate(self, attrs):
        if "report_id" in attrs and "check_id" in attrs:
            raise serializers.ValidationError(
                {"check_id": [gettext("Name either your report or your check, not both.")]}
            )
        return attrs

    def to_given(self) -> ParcelEventGiven:
        return parcel_given(self.validated_data)


def parcel_given(data: dict) -> ParcelEventGiven:
    """The validated input as the service takes it (the API and the page)."""
    return ParcelEventGiven(
        kind=data["kind"],
        occurred_at=data["occurred_at"],
        origin_region=data["origin_region"],
        category=data["category"],
        identifiers=raw_identifiers(data["identifiers"]),
        report_id=data.get("report_id"),
        check_id=data.get("check_id"),
    )
