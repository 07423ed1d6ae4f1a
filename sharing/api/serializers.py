"""Input and output serializers of the sharing API. Outputs list their fields; none is raw."""

from __future__ import annotations

import binascii

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.crypto.tokens import TOKEN_HEX_LENGTH
from sharing.models import Category, IpType, Report, VerificationLevel
from sharing.models.identifiers import IDENTIFIER_TYPE_CHOICES
from sharing.services.reports import EvidenceFile, ReportSubmission, evidence_decode
from sharing.services.tokens import RawIdentifier, SuppliedToken


def _choice(choices, what: str) -> serializers.ChoiceField:
    # DRF's default message quotes the submitted value; ours lists the valid ones instead.
    return serializers.ChoiceField(
        choices=choices,
        error_messages={
            "invalid_choice": f"Unknown {what}; choose one of: {', '.join(c for c, _ in choices)}."
        },
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
        "invalid": "Give the value as text, or for a composite type as an object of text fields.",
        "max_length": "The identifier value is longer than 500 characters.",
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

    type = _choice(IDENTIFIER_TYPE_CHOICES, "identifier type")
    value = IdentifierValueField(required=False)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        help_text="ISO 3166-1 alpha-2; defaults to your organisation's country",
        error_messages={"invalid": "Give a two-letter ISO country code."},
    )
    token = serializers.RegexField(
        rf"^[0-9a-fA-F]{{{TOKEN_HEX_LENGTH}}}$",
        required=False,
        help_text="Hex of the RFC 9497 OPRF output, derived through /api/v1/tokens/evaluate",
        error_messages={"invalid": f"A token is {TOKEN_HEX_LENGTH} hexadecimal digits."},
    )
    key_version = serializers.IntegerField(min_value=1, required=False)

    def validate(self, data: dict) -> dict:
        if ("value" in data) == ("token" in data):
            raise serializers.ValidationError(
                {"value": ["Give either a value or a token, not both and not neither."]}
            )
        if "token" in data and "key_version" not in data:
            raise serializers.ValidationError(
                {"key_version": ["A token needs the key version it was derived under."]}
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


class CheckRunInput(serializers.Serializer):
    identifiers = identifiers_field()


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
    recommended_action = serializers.ChoiceField(
        choices=["allow", "review", "block"], help_text="under your organisation's policy"
    )
    explanation = serializers.CharField()


class EvidenceInput(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=100, default="application/octet-stream")
    content_base64 = serializers.CharField()

    def validate_content_base64(self, value: str) -> bytes:
        try:
            content = evidence_decode(value)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Not valid base64.") from None
        if len(content) > settings.HUB_MAX_EVIDENCE_BYTES:
            raise serializers.ValidationError(
                f"An evidence file may be at most {settings.HUB_MAX_EVIDENCE_BYTES} bytes."
            )
        return content


class ReportSubmitInput(serializers.Serializer):
    identifiers = identifiers_field()
    ip_type = _choice(IpType.choices, "IP type")
    category = _choice(Category.choices, "category")
    verification_level = _choice(VerificationLevel.choices, "verification level")
    statement = serializers.CharField(max_length=20000)
    evidence = ListField(
        child=EvidenceInput(), required=False, default=list, max_length=settings.HUB_MAX_EVIDENCE_FILES
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


class TokenEvaluateInput(serializers.Serializer):
    blinded_elements = ListField(
        child=serializers.RegexField(
            r"^[0-9a-fA-F]{64}$", error_messages={"invalid": "An element is 64 hexadecimal digits."}
        ),
        min_length=1,
        help_text="RFC 9497 blinded elements, lowercase hex of their 32-byte encoding (at most 1000 a call)",
    )

    def validate_blinded_elements(self, value: list[str]) -> list[str]:
        if len(value) > settings.HUB_MAX_EVALUATE_BATCH:
            raise serializers.ValidationError(f"At most {settings.HUB_MAX_EVALUATE_BATCH} elements a call.")
        return value

    def elements(self) -> list[bytes]:
        return [bytes.fromhex(h) for h in self.validated_data["blinded_elements"]]


class TokenEvaluateOutput(serializers.Serializer):
    evaluated_elements = ListField(child=serializers.CharField())
    key_version = serializers.IntegerField()


class CanaryPlantInput(serializers.Serializer):
    identifiers = identifiers_field()
    label = serializers.CharField(max_length=200)


class CanaryPlantOutput(serializers.Serializer):
    planted = serializers.IntegerField()
