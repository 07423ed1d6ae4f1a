"""Identifier input validation, shared by the API, the web pages and bulk files (which validate each
row as a single check does). It lives here, not in an API module, so services and pages use it
without importing the API."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.crypto.tokens import TOKEN_HEX_LENGTH
from sharing.models.identifiers import IDENTIFIER_TYPE_CHOICES
from sharing.subjects.services.tokens import RawIdentifier, SuppliedToken


def choice_field(choices, what: Promise, **kwargs) -> serializers.ChoiceField:
    """A choice field whose refusal names the field (`what`, a lazily translated noun, so that a Chinese
    page says it in Chinese) and lists the valid values; DRF's default message quotes the submitted value."""
    if not isinstance(what, Promise):
        raise TypeError("choice_field: `what` must be a gettext_lazy noun, shown translated in the message")
    return serializers.ChoiceField(
        choices=choices,
        error_messages={
            "invalid_choice": format_lazy(
                gettext_lazy("Unknown {what}; choose one of: {choices}."),
                what=what,
                choices=", ".join(c for c, _ in choices),
            )
        },
        **kwargs,
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": 500},
            {
                "type": "object",
                "additionalProperties": {"type": "string", "maxLength": 500},
                "description": "person: full_name, date_of_birth (YYYY-MM-DD); "
                "registered_address: street_address, postcode, country (ISO 3166-1 alpha-2)",
            },
        ]
    }
)
class IdentifierValueField(serializers.Field):
    """A raw value: text, or for a composite type (person, registered_address) an object of text fields.
    Which fields a composite has, and each field's errors, are the normaliser's to say."""

    MAX_FIELDS = 8
    default_error_messages = {
        "invalid": gettext_lazy(
            "Give the value as text, or for a composite type as an object of text fields."
        ),
        "max_length": gettext_lazy("The identifier value is longer than 500 characters."),
    }

    def to_internal_value(self, data: object) -> str | dict[str, str]:
        if isinstance(data, str):
            if len(data) > 500:
                self.fail("max_length")
            return data
        if isinstance(data, dict) and len(data) <= self.MAX_FIELDS:
            return dict(data)  # field types and lengths are checked per field by the normaliser
        self.fail("invalid")

    def to_representation(self, value: object) -> object:
        return value


class IdentifierInput(serializers.Serializer):
    """A raw identifier {type, value, country?} or an obliviously derived token {type, token, key_version}.
    A composite's value is an object, e.g. {"type": "person", "value": {"full_name", "date_of_birth"}}."""

    type = choice_field(IDENTIFIER_TYPE_CHOICES, gettext_lazy("identifier type"))
    value = IdentifierValueField(required=False)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        help_text="ISO 3166-1 alpha-2; defaults to your organisation's country",
        error_messages={"invalid": gettext_lazy("Give a two-letter ISO country code.")},
    )
    token = serializers.RegexField(
        rf"^[0-9a-fA-F]{{{TOKEN_HEX_LENGTH}}}$",
        required=False,
        help_text="Hex of the RFC 9497 OPRF output, derived through /api/v1/tokens/evaluate",
        error_messages={
            "invalid": format_lazy(gettext_lazy("A token is {n} hexadecimal digits."), n=TOKEN_HEX_LENGTH)
        },
    )
    key_version = serializers.IntegerField(min_value=1, required=False)

    def validate(self, data: dict) -> dict:
        if ("value" in data) == ("token" in data):
            raise serializers.ValidationError(
                {"value": [gettext("Give either a value or a token, not both and not neither.")]}
            )
        if "token" in data and "key_version" not in data:
            raise serializers.ValidationError(
                {"key_version": [gettext("A token needs the key version it was derived under.")]}
            )
        return data

    def to_raw(self, data: dict) -> RawIdentifier | SuppliedToken:
        if "token" in data:
            return SuppliedToken(
                type=data["type"], token=data["token"].lower(), key_version=data["key_version"]
            )
        return RawIdentifier(
            type=data["type"], value=data["value"], country=(data.get("country") or "").upper() or None
        )


def identifiers_field() -> serializers.ListField:
    return ListField(
        child=IdentifierInput(),
        min_length=1,
        max_length=settings.HUB_MAX_IDENTIFIERS_PER_REQUEST,
        help_text="The seller's identifiers as {type, value, country?}",
    )


def raw_identifiers(validated: list[dict]) -> list[RawIdentifier | SuppliedToken]:
    return [IdentifierInput().to_raw(item) for item in validated]
