"""Output serializers of the invitations and members API (the caller's own organisation only)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.invitations.models import Invitation
from accounts.invitations.selectors import two_factor_enrolled
from accounts.models import Member


class InvitationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    organisation = serializers.UUIDField(source="organisation.public_id")
    status = serializers.ChoiceField(choices=["pending", "accepted", "revoked", "expired"])

    class Meta:
        model = Invitation
        fields = ["id", "organisation", "email", "role", "status", "created_at", "expires_at", "accepted_at"]


class MemberOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    email = serializers.CharField(source="user.email")
    two_factor_enrolled = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ["id", "email", "role", "active", "created_at", "two_factor_enrolled"]

    def get_two_factor_enrolled(self, member: Member) -> bool:
        return two_factor_enrolled(member)
