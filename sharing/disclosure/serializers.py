"""Input and output serializers of the court disclosure API and the hub's public keys."""

from __future__ import annotations

from rest_framework import serializers

from sharing.disclosure.services import disclosure
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


class HubKeysOutput(serializers.Serializer):
    signing_public_key = serializers.CharField(help_text="Ed25519, hex")
    signing_algorithm = serializers.CharField()
    signing_ssh_public_key = serializers.CharField(help_text="The same key as an OpenSSH public key line")
    package_allowed_signers = serializers.CharField(
        help_text="The line of an allowed_signers file for `ssh-keygen -Y verify` of disclosure packages"
    )
    oprf_suite = serializers.CharField()
    oprf_key_version = serializers.IntegerField()
