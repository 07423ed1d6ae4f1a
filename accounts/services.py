"""Writes on organisations, members and API keys; each one transaction with its audit row."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.apikeys import NewKey, key_generate
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.models import ApiKey, Member, Organisation, VerificationState
from accounts.roles import VALID_ROLES, Capability, OrganisationKind, Role, Scope
from hub.errors import DomainError, ForbiddenError, NotFoundError


@transaction.atomic
def organisation_create(
    *, name: str, kind: OrganisationKind, country: str, verified: bool = False, actor: Actor | None
) -> Organisation:
    """Admit an organisation; an operator admin verifies it before it can act."""
    if actor is not None and not actor.can(Capability.ORGANISATION_ADMIN):
        raise ForbiddenError("Only operator administrators admit organisations.")
    organisation = Organisation.objects.create(
        name=name,
        kind=kind,
        country=country.upper(),
        verification=VerificationState.VERIFIED if verified else VerificationState.PENDING,
    )
    audit_record(
        actor=actor, tag=AuditTag.ORGANISATION_CREATED, target=organisation,
        data_class=DataClass.ADMINISTRATIVE, legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"kind": kind, "verified": verified},
    )
    return organisation


@transaction.atomic
def organisation_set_standing(*, organisation: Organisation, verified: bool, suspended: bool, actor: Actor | None) -> Organisation:
    """Verify, suspend or reinstate an organisation."""
    if actor is not None and not actor.can(Capability.ORGANISATION_ADMIN):
        raise ForbiddenError("Only operator administrators change an organisation's standing.")
    if actor is not None and organisation.pk == actor.organisation.pk and suspended:
        raise DomainError("An operator cannot suspend its own organisation.")
    organisation.verification = VerificationState.VERIFIED if verified else VerificationState.PENDING
    organisation.suspended = suspended
    organisation.save(update_fields=["verification", "suspended"])
    tag = AuditTag.ORGANISATION_SUSPENDED if suspended else (
        AuditTag.ORGANISATION_VERIFIED if verified else AuditTag.ORGANISATION_REINSTATED
    )
    audit_record(actor=actor, tag=tag, target=organisation, data_class=DataClass.ADMINISTRATIVE,
                 legal_basis=LegalBasis.OPERATOR_DUTY, details={"verified": verified, "suspended": suspended})
    return organisation


@transaction.atomic
def member_create(
    *, organisation: Organisation, username: str, role: Role, password: str | None = None, actor: Actor | None
) -> Member:
    """Add a person to an organisation in a role its kind has."""
    if role not in VALID_ROLES[OrganisationKind(organisation.kind)]:
        raise DomainError(f"A {organisation.kind} organisation has no {role} role.", fields={"role": ["Not a role of this organisation kind."]})
    user = get_user_model().objects.create_user(username=username, password=password)
    member = Member.objects.create(user=user, organisation=organisation, organisation_kind=organisation.kind, role=role)
    audit_record(actor=actor, tag=AuditTag.MEMBER_CREATED, target=member, data_class=DataClass.ADMINISTRATIVE,
                 details={"organisation": str(organisation.public_id), "role": role})
    return member


@transaction.atomic
def api_key_issue(
    *,
    member: Member,
    name: str,
    scopes: list[str],
    expires_in_days: int | None = None,
    actor: Actor | None,
    new_key: NewKey | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key for a member; the plaintext is returned once and never stored."""
    _require_same_member_or_admin(actor=actor, member=member)
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise DomainError("Choose at least one known scope.", fields={"scopes": [f"Known scopes: {', '.join(Scope.values)}."]})
    new_key = new_key or key_generate()
    now = timezone.now()
    api_key = ApiKey.objects.create(
        member=member,
        name=name,
        prefix=new_key.prefix,
        key_hash=new_key.key_hash,
        scopes=sorted(set(scopes)),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days or settings.HUB_API_KEY_DEFAULT_DAYS),
    )
    audit_record(actor=actor, tag=AuditTag.API_KEY_ISSUED, target=api_key, data_class=DataClass.ADMINISTRATIVE,
                 details={"prefix": api_key.prefix, "scopes": api_key.scopes, "member": str(member.public_id)})
    return api_key, new_key.plaintext


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    """Revoke a key at once; revoking twice is harmless."""
    _require_same_member_or_admin(actor=actor, member=api_key.member)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    audit_record(actor=actor, tag=AuditTag.API_KEY_REVOKED, target=api_key, data_class=DataClass.ADMINISTRATIVE,
                 details={"prefix": api_key.prefix})
    return api_key


def _require_same_member_or_admin(*, actor: Actor | None, member: Member) -> None:
    if actor is None:  # management commands run with the operator's authority
        return
    if not actor.can(Capability.APIKEY_MANAGE):
        raise ForbiddenError("You may not manage API keys.")
    if actor.member.pk == member.pk:
        return
    if actor.role == Role.ADMIN and actor.organisation.pk == member.organisation_id:
        return
    raise NotFoundError("No such member.")


@transaction.atomic
def organisation_set_encryption_key(*, public_key_hex: str, actor: Actor) -> Organisation:
    """A court registers the X25519 public key its disclosure packages are encrypted to."""
    if not actor.can(Capability.ENCRYPTION_KEY_SET):
        raise ForbiddenError("Only court clerks register an encryption key.")
    try:
        key = bytes.fromhex(public_key_hex)
    except ValueError:
        key = b""
    if len(key) != 32 or key == bytes(32):
        raise DomainError("Not an X25519 public key.", fields={"public_key": ["Give 32 bytes as 64 hexadecimal digits."]})
    organisation = Organisation.objects.select_for_update().get(pk=actor.organisation.pk)
    organisation.encryption_public_key, organisation.encryption_key_set_at = key.hex(), timezone.now()
    organisation.save(update_fields=["encryption_public_key", "encryption_key_set_at"])
    audit_record(actor=actor, tag=AuditTag.ENCRYPTION_KEY_SET, target=organisation, data_class=DataClass.ADMINISTRATIVE,
                 details={"public_key": key.hex()})
    return organisation
