"""Input and output serializers of the checks API (checks, oblivious evaluation, canaries)."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers

from accounts.purpose_field import PurposeField
from accounts.purposes import purpose_require
from hub.errors import DomainError
from hub.serializer_fields import ListField
from sharing.crypto.tokens import TOKEN_HEX_LENGTH
from sharing.models.identifiers import IDENTIFIER_TYPE_CHOICES
from sharing.subjects.inputs import identifiers_field


class SuppressedCountOutput(serializers.Serializer):
    """A count of members' behaviour (sharing/checks/services/suppression.py): the same shape wherever one is shown."""

    value = serializers.IntegerField(
        allow_null=True,
        help_text="null when suppressed (fewer than `fewer_than` distinct organisations)",
    )
    suppressed = serializers.BooleanField()
    fewer_than = serializers.IntegerField(source="threshold")


class ParcelEventCountsOutput(serializers.Serializer):
    """Couriers' parcel events naming the matched seller's identifiers, per kind: counts only, never the events."""

    seized = SuppressedCountOutput()
    refused = SuppressedCountOutput()
    returned = SuppressedCountOutput()
    customs_hold = SuppressedCountOutput()


class CheckRunInput(serializers.Serializer):
    identifiers = identifiers_field()
    purpose = PurposeField()


def check_run_input(data: object, *, organisation) -> dict:
    """A single check's body as `CheckRunInput` validates it, which stays the schema and says every error.

    A body of the usual plain shape (identifiers each exactly {type, token, key_version} or {type, value}
    or {type, value, country}, nothing else) is validated by plain code in microseconds; anything else,
    valid or not, goes through the serializer. tests/sharing/test_check_input.py proves that whatever
    the plain path accepts, the serializer accepts with the same validated data."""
    plain = _check_run_input_plain(data, organisation=organisation)
    if plain is not None:
        return plain
    payload = CheckRunInput(data=data, context={"organisation": organisation})
    payload.is_valid(raise_exception=True)
    return payload.validated_data


_IDENTIFIER_TYPES = frozenset(code for code, _ in IDENTIFIER_TYPE_CHOICES)
_TOKEN = re.compile(rf"[0-9a-fA-F]{{{TOKEN_HEX_LENGTH}}}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_TOKEN_KEYS, _VALUE_KEYS, _VALUE_COUNTRY_KEYS = (
    frozenset({"type", "token", "key_version"}),
    frozenset({"type", "value"}),
    frozenset({"type", "value", "country"}),
)


def _check_run_input_plain(data: object, *, organisation) -> dict | None:
    """The validated body when it has the plain shape and every field is valid as given; else None."""
    if type(data) is not dict or data.keys() != {"identifiers", "purpose"}:
        return None
    items, purpose = data["identifiers"], data["purpose"]
    if type(items) is not list or not 1 <= len(items) <= settings.HUB_MAX_IDENTIFIERS_PER_REQUEST:
        return None
    if type(purpose) is not str:
        return None
    identifiers = []
    for item in items:
        if (
            type(item) is not dict
            or type(item.get("type")) is not str
            or item["type"] not in _IDENTIFIER_TYPES
        ):
            return None
        keys = item.keys()
        if keys == _TOKEN_KEYS:
            token, version = item["token"], item["key_version"]
            # Strict types: DRF would also take "1" or 1.0, and strip spaces; those go the serializer's way.
            if type(token) is not str or not _TOKEN.fullmatch(token) or type(version) is not int:
                return None
            if not 1 <= version < 2**63:
                return None
        elif keys == _VALUE_KEYS or keys == _VALUE_COUNTRY_KEYS:
            value = item["value"]
            if type(value) is not str or len(value) > 500:
                return None
            country = item.get("country")
            if country is not None and (type(country) is not str or not _COUNTRY.fullmatch(country)):
                return None
            if "country" in item and country is None:
                return None
        else:
            return None
        identifiers.append(dict(item))
    try:
        purpose = purpose_require(organisation=organisation, purpose=purpose)
    except DomainError:
        return None  # the serializer says why, in the field's words
    return {"identifiers": identifiers, "purpose": purpose}


class CheckOutput(serializers.Serializer):
    check_id = serializers.UUIDField()
    level = serializers.ChoiceField(choices=["none", "reported", "listed", "confirmed"])
    risk = serializers.IntegerField(min_value=0, max_value=100)
    matched_types = ListField(child=serializers.CharField())
    corroborated_types = ListField(
        child=serializers.CharField(),
        help_text=(
            "weak identifier types (name, address, device id) the matched subject's own reports also name: "
            "they add to risk, never to reporting_organisations or the level"
        ),
    )
    match = serializers.ChoiceField(
        choices=["direct", "linked"],
        allow_null=True,
        help_text="direct: the reports name these identifiers; linked: reached through linked accounts too",
    )
    reports_matched = serializers.IntegerField()
    subjects_matched = serializers.IntegerField()
    reporting_organisations = serializers.IntegerField(
        help_text="Independent organisations whose live reports match"
    )
    reporter_kinds = ListField(child=serializers.CharField())
    strongest_verification = serializers.CharField(allow_null=True)
    ip_types = ListField(child=serializers.CharField())
    categories = ListField(child=serializers.CharField())
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)
    disputed = serializers.BooleanField()
    linked_store_accounts = serializers.IntegerField()
    linked_platforms = serializers.IntegerField()
    members_acted = SuppressedCountOutput(
        help_text=(
            "Independent member organisations (none of the reporters) whose feedback says they acted on it; "
            "value null and suppressed true when fewer than `fewer_than` organisations"
        )
    )
    members_false_positive = SuppressedCountOutput(
        help_text=(
            "Independent member organisations whose feedback calls it a false positive; "
            "value null and suppressed true when fewer than `fewer_than` organisations"
        )
    )
    recommended_action = serializers.ChoiceField(
        choices=["allow", "review", "block"], help_text="under your organisation's policy"
    )
    explanation = serializers.CharField()
    parcel_events = ParcelEventCountsOutput(
        help_text=(
            "Parcel events couriers recorded against the matched seller's identifiers, per kind (seized, "
            "refused, returned, customs_hold); each value null and suppressed true when fewer than "
            "`fewer_than` recording organisations"
        )
    )
    parcel_action = serializers.ChoiceField(
        choices=["hold_for_inspection", "accept"],
        required=False,
        allow_null=True,
        help_text=(
            "For logistics members only (null for others): hold_for_inspection when recommended_action is "
            "review or block, accept when it is allow"
        ),
    )


class CheckBatchSellerInput(serializers.Serializer):
    reference = serializers.CharField(
        max_length=200,
        required=False,
        help_text="Your own reference for the seller, given back beside its answer (never stored)",
    )
    identifiers = identifiers_field()


class CheckBatchInput(serializers.Serializer):
    purpose = PurposeField()
    sellers = ListField(
        child=CheckBatchSellerInput(),
        min_length=1,
        help_text=(
            "The sellers to check, each as a single check's identifiers: at most HUB_CHECK_BATCH_MAX_SELLERS "
            "(100 by default) a request, and at most HUB_CHECK_BATCH_MAX_IDENTIFIERS identifiers (1,000 by "
            "default) in all; each seller is a check (audited, counted in the quota)"
        ),
    )

    def to_internal_value(self, data):
        # Refused before any seller is validated: a list over the limit costs no more than its length.
        sellers = data.get("sellers") if isinstance(data, dict) else None
        if isinstance(sellers, list) and len(sellers) > settings.HUB_CHECK_BATCH_MAX_SELLERS:
            raise serializers.ValidationError(
                {
                    "sellers": [
                        gettext("At most %(count)s sellers a batch.")
                        % {"count": settings.HUB_CHECK_BATCH_MAX_SELLERS}
                    ]
                }
            )
        if isinstance(sellers, list):
            given = sum(
                len(seller["identifiers"])
                for seller in sellers
                if isinstance(seller, dict) and isinstance(seller.get("identifiers"), list)
            )
            if given > settings.HUB_CHECK_BATCH_MAX_IDENTIFIERS:
                raise serializers.ValidationError(
                    {
                        "sellers": [
                            gettext("At most %(count)s identifiers a batch, its sellers together.")
                            % {"count": settings.HUB_CHECK_BATCH_MAX_IDENTIFIERS}
                        ]
                    }
                )
        return super().to_internal_value(data)

    def validate_sellers(self, value: list[dict]) -> list[dict]:
        first: dict[str, int] = {}
        errors: dict[str, dict[str, list[str]]] = {}
        for index, seller in enumerate(value):
            reference = seller.get("reference")
            if reference is None:
                continue
            if reference in first:
                errors[str(index)] = {
                    "reference": [
                        gettext("This reference is already given to the seller at index %(index)s.")
                        % {"index": first[reference]}
                    ]
                }
            else:
                first[reference] = index
        if errors:
            raise serializers.ValidationError(errors)
        return value


class CheckBatchResultOutput(CheckOutput):
    """One seller's answer: the single check's answer, with your reference for the seller."""

    reference = serializers.CharField(
        allow_null=True, help_text="Your reference for the seller, if you gave one"
    )

    def to_representation(self, instance):
        # The check's own fields are read from its CheckResult, which has no reference: that is the batch's.
        answer = super().to_representation(instance.result)
        return {**answer, "reference": instance.reference}


class CheckBatchOutput(serializers.Serializer):
    results = ListField(
        child=CheckBatchResultOutput(), help_text="One answer per seller, in the order the sellers were given"
    )


class TokenEvaluateInput(serializers.Serializer):
    blinded_elements = ListField(
        child=serializers.RegexField(
            r"^[0-9a-fA-F]{64}$",
            error_messages={"invalid": gettext_lazy("An element is 64 hexadecimal digits.")},
        ),
        min_length=1,
        help_text="RFC 9497 blinded elements, lowercase hex of their 32-byte encoding (at most 1000 a call)",
    )

    def validate_blinded_elements(self, value: list[str]) -> list[str]:
        if len(value) > settings.HUB_MAX_EVALUATE_BATCH:
            raise serializers.ValidationError(
                gettext("At most %(count)s elements a call.") % {"count": settings.HUB_MAX_EVALUATE_BATCH}
            )
        return value

    def elements(self) -> list[bytes]:
        return [bytes.fromhex(h) for h in self.validated_data["blinded_elements"]]


class TokenEvaluateOutput(serializers.Serializer):
    evaluated_elements = ListField(child=serializers.CharField())
    key_version = serializers.IntegerField()


class CanaryPlantInput(serializers.Serializer):
    identifiers = identifiers_field()
    label = serializers.CharField(max_length=200)  # type: ignore[assignment]  # a declared field, not the base attribute


class CanaryPlantOutput(serializers.Serializer):
    planted = serializers.IntegerField()


# The answer of a check as CheckOutput renders it, without a serializer instance per request: a
# check's hot path (benchmarks/single_check.py) spent ~7% of its Python building and walking one.
# CheckOutput stays the schema; tests/sharing/test_check_output.py proves the two render alike.
_DATETIME = serializers.DateTimeField()
_PARCEL_KINDS = tuple(ParcelEventCountsOutput().fields)  # in the schema's order, not the model's


def check_output(result) -> dict:
    """A CheckResult as CheckOutput(result).data, key for key and value for value."""

    def when(value):
        return None if value is None else _DATETIME.to_representation(value)

    return {
        "check_id": str(result.check_id),
        "level": result.level,
        "risk": result.risk,
        "matched_types": list(result.matched_types),
        "corroborated_types": list(result.corroborated_types),
        "match": result.match,
        "reports_matched": result.reports_matched,
        "subjects_matched": result.subjects_matched,
        "reporting_organisations": result.reporting_organisations,
        "reporter_kinds": list(result.reporter_kinds),
        "strongest_verification": result.strongest_verification,
        "ip_types": list(result.ip_types),
        "categories": list(result.categories),
        "first_seen": when(result.first_seen),
        "last_seen": when(result.last_seen),
        "disputed": result.disputed,
        "linked_store_accounts": result.linked_store_accounts,
        "linked_platforms": result.linked_platforms,
        "members_acted": result.members_acted.as_json(),
        "members_false_positive": result.members_false_positive.as_json(),
        "recommended_action": result.recommended_action,
        "explanation": result.explanation,
        "parcel_events": {kind: result.parcel_events[kind].as_json() for kind in _PARCEL_KINDS},
        "parcel_action": result.parcel_action,
    }


def check_batch_output(checked) -> dict:
    """A batch's answers as CheckBatchOutput renders them (the schema), without a serializer per seller."""
    return {"results": [{**check_output(item.result), "reference": item.reference} for item in checked]}
