"""Input and output serializers of the accounts API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from accounts.admission.registration import RegistrationNumberError, registration_number_clean
from accounts.audit.models import Alert, AuditEvent
from accounts.models import ApiKey, Organisation
from accounts.roles import OrganisationKind, Scope
from hub.serializer_fields import JurisdictionField, ListField


class OrganisationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "jurisdiction",
            "registration_number",
            "verification",
            "suspended",
            "created_at",
            "encryption_public_key",
            "terms_version",
            "terms_accepted_at",
        ]


class OrganisationCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    registration_number = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", error_messages={"invalid": gettext_lazy("Give a two-letter ISO country code.")}
    )
    jurisdiction = JurisdictionField(
        required=False,
        default="",
        help_text="Where the organisation receives the hub's data (ISO 3166-1 alpha-2); "
        "the hub's data residency when left out",
    )

    def validate(self, attrs: dict) -> dict:
        if attrs.get("registration_number", "").strip():
            try:
                attrs["registration_number"] = registration_number_clean(
                    country=attrs["country"], number=attrs["registration_number"]
                )
            except RegistrationNumberError as exc:
                raise serializers.ValidationError({"registration_number": [str(exc)]}) from None
        return attrs


class OrganisationStandingInput(serializers.Serializer):
    verified = serializers.BooleanField()
    suspended = serializers.BooleanField()
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        default="",
        allow_blank=True,
        help_text="Why; recorded in the audit log and told to the organisation's contact",
    )


class ApiKeyOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    member = serializers.UUIDField(source="member.public_id")
    created_by = serializers.UUIDField(
        source="created_by.public_id",
        allow_null=True,
        default=None,
        help_text="Who created the key: its member, or null for a key of unknown origin",
    )

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "member",
            "created_by",
            "scopes",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]


class ApiKeyIssuedOutput(ApiKeyOutput):
    key = serializers.CharField(help_text="Shown once; the hub keeps only its hash")

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]


class ApiKeyIssueInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = ListField(
        child=serializers.ChoiceField(choices=Scope.choices), min_length=1, max_length=len(Scope.values)
    )
    expires_in_days = serializers.IntegerField(min_value=1, max_value=730, required=False)
    # Kept so that asking for someone else's key is refused (403, audited) rather than silently ignored.
    member = serializers.UUIDField(
        required=False, help_text="Yourself, if given: a key is created only by its own member"
    )


class AuditEventOutput(serializers.ModelSerializer):
    id = serializers.IntegerField()
    organisation = serializers.UUIDField(source="organisation.public_id", allow_null=True, default=None)
    actor_member = serializers.UUIDField(source="actor_member.public_id", allow_null=True, default=None)
    actor_api_key = serializers.CharField(source="actor_api_key.prefix", allow_null=True, default=None)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "seq",
            "leaf_hash",
            "occurred_at",
            "actor_member",
            "actor_api_key",
            "organisation",
            "role",
            "action",
            "object_type",
            "object_id",
            "data_class",
            "legal_basis",
            "outcome",
            "request_id",
            "client_request_id",
            "details",
            # Set when the details were emptied after their retention period (README "Retention").
            "details_purged_at",
        ]


class AlertOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    organisation = serializers.UUIDField(source="organisation.public_id", allow_null=True, default=None)
    handled_by = serializers.UUIDField(source="handled_by.public_id", allow_null=True, default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "severity",
            "organisation",
            "raised_at",
            "last_seen_at",
            "occurrences",
            "details",
            "status",
            "handled_by",
            "handled_at",
            "resolution",
        ]


class EncryptionKeyInput(serializers.Serializer):
    public_key = serializers.CharField(max_length=200, help_text="X25519 public key, 64 hexadecimal digits")


class CheckpointOutput(serializers.Serializer):
    origin = serializers.CharField()
    size = serializers.IntegerField()
    root_hash = serializers.CharField(help_text="lowercase hex")
    note = serializers.CharField(help_text="the C2SP signed note")


class InclusionProofInput(serializers.Serializer):
    index = serializers.IntegerField(min_value=0)
    size = serializers.IntegerField(min_value=1)


class InclusionProofOutput(serializers.Serializer):
    leaf_hash = serializers.CharField()
    path = ListField(child=serializers.CharField())


class ConsistencyProofInput(serializers.Serializer):
    first = serializers.IntegerField(min_value=1)
    second = serializers.IntegerField(min_value=1)


class ConsistencyProofOutput(serializers.Serializer):
    path = ListField(child=serializers.CharField())
