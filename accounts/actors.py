"""Who is acting: a member, through which API key (if any), in which request."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import ApiKey, Member, Organisation
from accounts.roles import CAPABILITY_SCOPE, Capability, capabilities_for


@dataclass(frozen=True)
class Actor:
    member: Member
    api_key: ApiKey | None = None
    request_id: str = ""

    @property
    def organisation(self) -> Organisation:
        return self.member.organisation

    @property
    def role(self) -> str:
        return self.member.role

    def can(self, capability: Capability) -> bool:
        if not self.organisation.in_good_standing or not self.member.active:
            return False
        if capability not in capabilities_for(self.organisation.kind, self.member.role):
            return False
        return self.api_key is None or self.api_key.has_scope(CAPABILITY_SCOPE[capability])
