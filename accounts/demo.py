"""The demo organisations of the embedded default. DEMO ONLY: never used in production.

Demo API keys are derived from a fixed, public seed so that seeding twice gives
the same keys and scripts can drive a fresh hub; HUB_ENV=production refuses them
(at authentication, and `manage.py check` fails while any is left; see accounts/checks.py).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.actors import Actor
from accounts.apikeys import NewKey, key_hash
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.models import ApiKey, Member, Organisation
from accounts.roles import OrganisationKind, Role, Scope

DEMO_KEY_SEED = b"infringer-intelligence-hub demo keys (public, never for production)"
DEMO_PASSWORD = "demo-password-2026"

K, R = OrganisationKind, Role
DEMO_ORGANISATIONS = [
    ("Demo Marketplace", K.PLATFORM, "CN", [("platform-admin", R.ADMIN), ("platform-analyst", R.ANALYST)]),
    (
        "Demo Express Logistics",
        K.LOGISTICS,
        "CN",
        [("logistics-analyst", R.ANALYST), ("logistics-reporter", R.REPORTER)],
    ),
    ("Demo Luxury Brands", K.RIGHTS_OWNER, "FR", [("brand-a-reporter", R.REPORTER)]),
    ("Demo Sports Goods", K.RIGHTS_OWNER, "DE", [("brand-b-reporter", R.REPORTER)]),
    ("Demo District Court", K.COURT, "CN", [("court-clerk", R.ANALYST)]),
    (
        "Hub Operator",
        K.OPERATOR,
        "GB",
        [
            ("operator-admin", R.ADMIN),
            ("operator-reviewer", R.REVIEWER),
            ("officer-one", R.DISCLOSURE_OFFICER),
            ("officer-two", R.DISCLOSURE_OFFICER),
        ],
    ),
    ("Demo Oversight Board", K.AUDITOR, "GB", [("auditor", R.ANALYST)]),
    # Administrative enforcement and payments (issue 18): each checks sellers under the same rules.
    ("Demo Market Regulation Bureau", K.MARKET_REGULATOR, "CN", [("regulator-analyst", R.ANALYST)]),
    ("Demo Customs District", K.CUSTOMS, "CN", [("customs-analyst", R.ANALYST)]),
    ("Demo Payments", K.PAYMENT_PROVIDER, "CN", [("payments-analyst", R.ANALYST)]),
]


DEMO_USERNAMES = tuple(username for *_, people in DEMO_ORGANISATIONS for username, _ in people)
REMOVAL_COMMAND = "python manage.py remove_demo_credentials"


@dataclass(frozen=True)
class DemoMember:
    organisation: str
    kind: str
    role: str
    username: str
    api_key: str
    private_key_path: str | None = None


def demo_key(username: str) -> NewKey:
    digest = hmac.new(DEMO_KEY_SEED, username.encode(), hashlib.sha256).digest()
    prefix = "".join("abcdefghijklmnopqrstuvwxyz0123456789"[b % 36] for b in digest[:8])
    secret = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    plaintext = f"iih_{prefix}_{secret}"
    return NewKey(plaintext=plaintext, prefix=prefix, key_hash=key_hash(plaintext))


@functools.cache
def demo_key_hashes() -> frozenset[str]:
    """The hashes of every demo key: anyone can derive them from the public seed above."""
    return frozenset(demo_key(username).key_hash for username in DEMO_USERNAMES)


def is_demo_password(password: str | None) -> bool:
    return password is not None and hmac.compare_digest(password.encode(), DEMO_PASSWORD.encode())


@dataclass(frozen=True)
class DemoCredentials:
    api_keys: list[ApiKey]
    users: list  # users whose password is still the demo password

    def __bool__(self) -> bool:
        return bool(self.api_keys or self.users)

    def describe(self) -> str:
        return (
            f"{len(self.api_keys)} unrevoked demo API key(s) ({', '.join(k.prefix for k in self.api_keys) or '-'}), "
            f"{len(self.users)} user(s) with the demo password ({', '.join(u.get_username() for u in self.users) or '-'})"
        )


def demo_credentials_found() -> DemoCredentials:
    """Demo keys that still work and demo users whose password is still the public demo password."""
    keys = ApiKey.objects.filter(key_hash__in=demo_key_hashes(), revoked_at__isnull=True).order_by("pk")
    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES).order_by("pk")
    return DemoCredentials(list(keys), [user for user in users if user.check_password(DEMO_PASSWORD)])


@transaction.atomic
def demo_credentials_remove() -> DemoCredentials:
    """Revoke every demo key and disable every demo password (their owners set their own), audited."""
    found = demo_credentials_found()
    for api_key in found.api_keys:
        ApiKey.objects.filter(pk=api_key.pk).update(revoked_at=timezone.now())
        audit_record(
            actor=None,
            tag=AuditTag.API_KEY_REVOKED,
            target=api_key,
            data_class=DataClass.ADMINISTRATIVE,
            legal_basis=LegalBasis.OPERATOR_DUTY,
            details={"prefix": api_key.prefix, "reason": "demo key"},
        )
    for user in found.users:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit_record(
            actor=None,
            tag=AuditTag.PASSWORD_DISABLED,
            target_type="user",
            target_id=str(user.pk),
            data_class=DataClass.ADMINISTRATIVE,
            legal_basis=LegalBasis.OPERATOR_DUTY,
            details={"reason": "demo password"},
        )
    return found


def demo_court_key(member: Member, var_dir: Path) -> Path:
    """Give the demo court an X25519 key pair; the private key goes to a file under var/."""
    path = var_dir / "demo-court-private-key.pem"
    if not path.exists():
        generated = X25519PrivateKey.generate()
        path.write_bytes(generated.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        path.chmod(0o600)
    private = load_pem_private_key(path.read_bytes(), password=None)
    public_hex = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    if member.organisation.encryption_public_key != public_hex:
        services.organisation_set_encryption_key(public_key_hex=public_hex, actor=Actor(member=member))
    return path


def _demo_key_issue_or_top_up(member: Member, key: NewKey) -> None:
    """Demo keys carry every scope, including scopes added since a database was first seeded."""
    existing = ApiKey.objects.filter(prefix=key.prefix).first()
    if existing is None:
        services.api_key_issue(
            member=member, name="demo key", scopes=Scope.values, expires_in_days=730, actor=None, new_key=key
        )
    elif existing.revoked_at is None and set(existing.scopes) != set(Scope.values):
        ApiKey.objects.filter(pk=existing.pk).update(scopes=sorted(Scope.values))
        audit_record(
            actor=None,
            tag=AuditTag.API_KEY_RESCOPED,
            target=existing,
            data_class=DataClass.ADMINISTRATIVE,
            details={"prefix": existing.prefix, "scopes": sorted(Scope.values), "reason": "demo key"},
        )


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
            if not member.user.email:
                # A reachable address, so password reset works for demo members (mail: var/mail/).
                member.user.email = f"{username}@demo.example"
                member.user.save(update_fields=["email"])
            key = demo_key(username)
            _demo_key_issue_or_top_up(member, key)
            key_path = demo_court_key(member, settings.VAR_DIR) if kind == K.COURT else None
            seeded.append(
                DemoMember(name, kind, role, username, key.plaintext, str(key_path) if key_path else None)
            )
    return seeded
