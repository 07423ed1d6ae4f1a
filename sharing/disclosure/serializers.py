"""Input and output serializers of the court disclosure API and the hub's public keys."""

from __future__ import annotations

from rest_framework import serializers

from sharing.disclosure.services import disclosure, jurisdiction
from sharing.models import DisclosureRequest


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


class DisclosureDetailOutput(DisclosureOutput):
    """One order with where its court and its data belong, and the authority's approval it may need."""

    court_jurisdiction = serializers.CharField(source="court.jurisdiction", help_text="ISO 3166-1 alpha-2")
    data_jurisdictions = serializers.SerializerMethodField(
        help_text="Of the reports in scope (ISO 3166-1 alpha-2)"
    )
    authority_approval_required = serializers.SerializerMethodField(
        help_text="The court is outside the data's jurisdiction: the competent authority's approval must be "
        "recorded before the order is approved (PIPL Art. 41)"
    )
    # The competent authority's approval: each null while none is recorded (the reverse one-to-one).
    authority = serializers.CharField(source="authority_approval.authority", allow_null=True, read_only=True)
    authority_reference = serializers.CharField(
        source="authority_approval.reference", allow_null=True, read_only=True
    )
    authority_decided_on = serializers.DateField(
        source="authority_approval.decided_on", allow_null=True, read_only=True
    )
    authority_recorded_by = serializers.UUIDField(
        source="authority_approval.recorded_by.public_id",
        allow_null=True,
        read_only=True,
        help_text="The officer who recorded it",
    )
    authority_recorded_at = serializers.DateTimeField(
        source="authority_approval.recorded_at", allow_null=True, read_only=True
    )

    class Meta(DisclosureOutput.Meta):
        fields = [
            *DisclosureOutput.Meta.fields,
            "court_jurisdiction",
            "data_jurisdictions",
            "authority_approval_required",
            "authority",
            "authority_reference",
            "authority_decided_on",
            "authority_recorded_by",
            "authority_recorded_at",
        ]

    def get_data_jurisdictions(self, request: DisclosureRequest) -> list[str]:
        return jurisdiction.data_jurisdictions(request)

    def get_authority_approval_required(self, request: DisclosureRequest) -> bool:
        return jurisdiction.authority_approval_needed(request)


class HubKeysOutput(serializers.Serializer):
    signing_public_key = serializers.CharField(help_text="Ed25519, hex")
    signing_algorithm = serializers.CharField()
    signing_ssh_public_key = serializers.CharField(help_text="The same key as an OpenSSH public key line")
    package_allowed_signers = serializers.CharField(
        help_text="The line of an allowed_signers file for `ssh-keygen -Y verify` of disclosure packages"
    )
    oprf_suite = serializers.CharField()
    oprf_key_version = serializers.IntegerField()
