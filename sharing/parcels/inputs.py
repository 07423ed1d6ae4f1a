"""The parcel event input, validated alike by the API and the couriers' page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers

from hubcore.identifiers import IdentifierInvalid
from sharing.models import Category, ParcelEventKind
from sharing.parcels.services import ParcelEventGiven, origin_region_normalise
from sharing.subjects.inputs import choice_field, identifiers_field, raw_identifiers
from sharing.subjects.services.identifier_problems import problem_text


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with its UTC offset written out: a time without one is refused (per field),
    not read as UTC, since a courier's clock is rarely on UTC (the page adds the organisation's own)."""

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None  # well formed, no date: the field's own message
        if parsed is not None and parsed.tzinfo is None:
            raise serializers.ValidationError(
                gettext("Give the time with its UTC offset, e.g. 2026-03-01T14:30:00+08:00.")
            )
        return super().to_internal_value(value)


class ParcelEventInput(serializers.Serializer):
    kind = choice_field(ParcelEventKind.choices, gettext_lazy("parcel event kind"))
    occurred_at = OffsetDateTimeField(
        help_text="when the parcel was seized, refused, returned or held, with its UTC offset (e.g. +08:00)"
    )
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
        oldest = timezone.now() - timedelta(days=settings.HUB_PARCEL_EVENT_RETENTION_DAYS)
        if value < oldest:
            # Older than the hub keeps an event: the counts are of recent behaviour, not a back-filled history.
            raise serializers.ValidationError(
                gettext(
                    "The parcel event cannot be older than %(days)s days (the hub keeps events no longer)."
                )
                % {"days": settings.HUB_PARCEL_EVENT_RETENTION_DAYS}
            )
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
