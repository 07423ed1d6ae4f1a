"""Input and output serializers of the court disclosure API and the hub's public keys."""

from __future__ import annotations

from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.crypto.tokens import TOKEN_HEX_LENGTH
from sharing.disclosure.services import disclosure
from sharing.models import DisclosureRequest, RestrictedField


class DisclosureOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    order_reference = serializers.CharField()
    overdue = serializers.BooleanField()
    approvals = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureRequest
        fields = [
            "id",
            "status",
            "case_number",
            "issuing_court",
            "order_reference",
            "legal_basis",
            "scope",
            "deadline",
            "overdue",
            "submitted_at",
            "approvals",
            "approved_at",
            "approval_expires_at",
            "decision_reason",
            "downloads",
            "max_downloads",
        ]

    def get_approvals(self, request: DisclosureRequest) -> list[dict]:
        return disclosure.approvals_of(request)

    def get_scope(self, request: DisclosureRequest) -> dict:
        return disclosure.scope_of(request).as_dict()


class NarrowScopeInput(serializers.Serializer):
    """The parts of the scope to keep; a part left out stays as it is."""

    reports = ListField(child=serializers.UUIDField(), required=False, max_length=1000)
    subjects = ListField(child=serializers.UUIDField(), required=False, max_length=1000)
    tokens = ListField(
        child=serializers.RegexField(rf"^[0-9a-f]{{{TOKEN_HEX_LENGTH}}}$"), required=False, max_length=1000
    )
    fields = ListField(  # type: ignore[assignment]  # a declared field, not the base attribute
        child=serializers.ChoiceField(choices=RestrictedField.choices), required=False, min_length=1
    )

    def narrowed(self, current: disclosure.DisclosureScope) -> disclosure.DisclosureScope:
        data = self.validated_data
        return disclosure.DisclosureScope(
            reports=[str(r) for r in data["reports"]] if "reports" in data else current.reports,
            subjects=[str(x) for x in data["subjects"]] if "subjects" in data else current.subjects,
            tokens=list(data.get("tokens", current.tokens)),
            fields=sorted(set(data.get("fields", current.fields))),
        )


class NarrowInput(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=2000)
    scope = NarrowScopeInput()


class HubKeysOutput(serializers.Serializer):
    signing_public_key = serializers.CharField(help_text="Ed25519, hex")
    signing_algorithm = serializers.CharField()
    signing_ssh_public_key = serializers.CharField(help_text="The same key as an OpenSSH public key line")
    package_allowed_signers = serializers.CharField(
        help_text="The line of an allowed_signers file for `ssh-keygen -Y verify` of disclosure packages"
    )
    oprf_suite = serializers.CharField()
    oprf_key_version = serializers.IntegerField()
