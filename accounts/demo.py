"""The demo organisations of the embedded default. DEMO ONLY: never used in production.

Demo API keys are derived from a fixed, public seed so that seeding twice gives
the same keys and scripts can drive a fresh hub; HUB_ENV=production refuses them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from django.db import transaction

from accounts import services
from accounts.apikeys import NewKey, key_hash
from accounts.models import ApiKey, Member, Organisation
from accounts.roles import OrganisationKind, Role, Scope

DEMO_KEY_SEED = b"infringer-intelligence-hub demo keys (public, never for production)"
DEMO_PASSWORD = "demo-password-2026"

K, R = OrganisationKind, Role
DEMO_ORGANISATIONS = [
    ("Demo Marketplace", K.PLATFORM, "CN", [("platform-admin", R.ADMIN), ("platform-analyst", R.ANALYST)]),
    ("Demo Express Logistics", K.LOGISTICS, "CN", [("logistics-analyst", R.ANALYST)]),
    ("Demo Luxury Brands", K.RIGHTS_OWNER, "FR", [("brand-a-reporter", R.REPORTER)]),
    ("Demo Sports Goods", K.RIGHTS_OWNER, "DE", [("brand-b-reporter", R.REPORTER)]),
    ("Demo District Court", K.COURT, "CN", [("court-clerk", R.ANALYST)]),
    ("Hub Operator", K.OPERATOR, "GB", [
        ("operator-admin", R.ADMIN), ("operator-reviewer", R.REVIEWER),
        ("officer-one", R.DISCLOSURE_OFFICER), ("officer-two", R.DISCLOSURE_OFFICER),
    ]),
    ("Demo Oversight Board", K.AUDITOR, "GB", [("auditor", R.ANALYST)]),
]


@dataclass(frozen=True)
class DemoMember:
    organisation: str
    kind: str
    role: str
    username: str
    api_key: str


def demo_key(username: str) -> NewKey:
    digest = hmac.new(DEMO_KEY_SEED, username.encode(), hashlib.sha256).digest()
    prefix = "".join("abcdefghijklmnopqrstuvwxyz0123456789"[b % 36] for b in digest[:8])
    secret = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    plaintext = f"iih_{prefix}_{secret}"
    return NewKey(plaintext=plaintext, prefix=prefix, key_hash=key_hash(plaintext))


@transaction.atomic
def demo_seed() -> list[DemoMember]:
    """Create the demo organisations, members and keys, or find them; safe to run again."""
    seeded = []
    for name, kind, country, people in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(name=name).first() or services.organisation_create(
            name=name, kind=kind, country=country, verified=True, actor=None
        )
        for username, role in people:
            member = Member.objects.filter(user__username=username).first() or services.member_create(
                organisation=organisation, username=username, role=role, password=DEMO_PASSWORD, actor=None
            )
            key = demo_key(username)
            if not ApiKey.objects.filter(prefix=key.prefix).exists():
                services.api_key_issue(member=member, name="demo key", scopes=Scope.values, expires_in_days=730,
                                       actor=None, new_key=key)
            seeded.append(DemoMember(name, kind, role, username, key.plaintext))
    return seeded
