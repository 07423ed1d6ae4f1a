"""Writes on organisations, members and API keys; each one transaction with its audit row."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts import selectors
from accounts.actors import Actor
from accounts.admission.organisations import duplicates_of, organisation_contact_tell
from accounts.admission.registration import name_normalised
from accounts.apikeys import NewKey, key_generate
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record, audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.locks import lock_organisation
from accounts.models import ApiKey, Member, Organisation, VerificationState
from accounts.purposes import agreed_purposes_check
from accounts.roles import VALID_ROLES, Capability, OrganisationKind, Role, Scope, scopes_for
from hub.errors import ConflictError, DomainError, ForbiddenError
from hub.jurisdiction import country_code_valid


def organisation_create(
    *,
    name: str,
    kind: OrganisationKind,
    country: str,
    registration_number: str = "",
    jurisdiction: str = "",
    verified: bool = False,
    actor: Actor | None,
) -> Organisation:
    """Admit an organisation; an operator admin verifies it before it can act. A taken name or
    registration number (case and whitespace ignored) is a 409, also when a concurrent admission wins.

    Its jurisdiction (where it receives data) is its country unless named (jurisdiction_default)."""
    if actor is not None:  # None: the hub itself (seed_demo, fixtures)
        require(
            actor,
            Capability.ORGANISATION_ADMIN,
            message=gettext("Only operator administrators admit organisations."),
        )
    fields = duplicates_of(name=name, country=country, registration_number=registration_number)
    if fields:
        # Named as hub/integrity.py names any unique violation: the field, never its value.
        _refuse_duplicate_organisation(
            actor, {("name" if f == "legal_name" else f): [str(TAKEN)] for f in fields}
        )
    try:
        return _organisation_insert(
            name=name_normalised(name),
            kind=kind,
            country=country.upper(),
            registration_number=registration_number,
            jurisdiction=(jurisdiction or jurisdiction_default(kind=kind, country=country)).upper(),
            verified=verified,
            actor=actor,
        )
    except IntegrityError:
        _refuse_duplicate_organisation(actor, {"name": [str(TAKEN)]})
        raise  # unreachable: the refusal raises


TAKEN = gettext_lazy("Already taken: choose another.")


def _refuse_duplicate_organisation(actor: Actor | None, fields: dict[str, list[str]]) -> None:
    audit_record_denied(
        actor=actor,
        tag=AuditTag.ORGANISATION_CREATED,
        target_type="organisation",
        reason=f"duplicate {' and '.join(sorted(fields))}",
        request_id=actor.request_id if actor else "",
    )
    refusals: dict[tuple[str, ...], str] = {
        ("name",): gettext("Another organisation already has this name."),
        ("registration_number",): gettext("Another organisation already has this registration number."),
    }
    both = gettext("Another organisation already has this name and registration number.")
    raise ConflictError(refusals.get(tuple(sorted(fields)), both), fields=fields)


@transaction.atomic
def _organisation_insert(
    *,
    name: str,
    kind: OrganisationKind,
    country: str,
    registration_number: str,
    jurisdiction: str,
    verified: bool,
    actor: Actor | None,
) -> Organisation:
    organisation = Organisation.objects.create(
        name=name,
        kind=kind,
        country=country,
        registration_number=registration_number,
        jurisdiction=jurisdiction,
        verification=VerificationState.VERIFIED if verified else VerificationState.PENDING,
    )
    audit_record(
        actor=actor,
        tag=AuditTag.ORGANISATION_CREATED,
        target=organisation,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"kind": kind, "verified": verified, "jurisdiction": jurisdiction},
    )
    return organisation


# Oversight must never be locked out: the hub that runs the log and the bodies that audit it.
ALWAYS_IN_STANDING = (OrganisationKind.OPERATOR, OrganisationKind.AUDITOR)


def organisation_set_standing(
    *, organisation: Organisation, verified: bool, suspended: bool, reason: str = "", actor: Actor | None
) -> Organisation:
    """Verify, suspend or reinstate an organisation, with a reason recorded and told to its contact;
    never lower the operator's or an auditor's standing."""
    if actor is not None:  # None: the hub itself (seed_demo, fixtures)
        require(
            actor,
            Capability.ORGANISATION_ADMIN,
            message=gettext("Only operator administrators change an organisation's standing."),
        )
    if actor is not None and organisation.kind in ALWAYS_IN_STANDING and (suspended or not verified):
        _refuse(
            actor,
            AuditTag.ORGANISATION_SUSPENDED,
            "organisation",
            f"lower the standing of {organisation.kind} organisation {organisation.public_id}",
        )
        raise ForbiddenError(
            gettext(
                "The operator and auditor organisations stay verified and unsuspended, so oversight cannot "
                "be locked out."
            ),
            fields={
                "suspended": [gettext("Not for this organisation.")],
                "verified": [gettext("Not for this organisation.")],
            },
        )
    organisation = _organisation_standing_save(
        organisation=organisation, verified=verified, suspended=suspended, reason=reason, actor=actor
    )
    organisation_contact_tell(organisation=organisation, reason=reason)
    return organisation


@transaction.atomic
def _organisation_standing_save(
    *, organisation: Organisation, verified: bool, suspended: bool, reason: str, actor: Actor | None
) -> Organisation:
    organisation.verification = VerificationState.VERIFIED if verified else VerificationState.PENDING
    organisation.suspended = suspended
    organisation.save(update_fields=["verification", "suspended"])
    tag = (
        AuditTag.ORGANISATION_SUSPENDED
        if suspended
        else (AuditTag.ORGANISATION_VERIFIED if verified else AuditTag.ORGANISATION_REINSTATED)
    )
    audit_record(
        actor=actor,
        tag=tag,
        target=organisation,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"verified": verified, "suspended": suspended, "reason": reason},
    )
    return organisation


@transaction.atomic
def organisation_purposes_agree(
    *, organisation: Organisation, purposes: list[str] | None, actor: Actor | None
) -> Organisation:
    """Record the purposes the organisation's membership agreement allows (None: all its kind allows)."""
    if actor is not None:  # None: the hub itself (an operator's command, fixtures)
        require(actor, Capability.ORGANISATION_ADMIN)
    organisation.agreed_purposes = agreed_purposes_check(kind=organisation.kind, purposes=purposes)
    organisation.save(update_fields=["agreed_purposes"])
    audit_record(
        actor=actor,
        tag=AuditTag.ORGANISATION_PURPOSES_AGREED,
        target=organisation,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"purposes": organisation.agreed_purposes},
    )
    return organisation


@transaction.atomic
def member_create(
    *, organisation: Organisation, username: str, role: Role, password: str | None = None, actor: Actor | None
) -> Member:
    """Add a person to an organisation in a role its kind has."""
    if password is not None and actor is not None:
        # A password is a credential: only its owner sets it (the demo seeding runs with no actor).
        raise ForbiddenError(
            gettext("A member sets their own password."),
            fields={"password": [gettext("Leave it to the member.")]},
        )
    if role not in VALID_ROLES[OrganisationKind(organisation.kind)]:
        raise DomainError(
            gettext("This kind of organisation (%(kind)s) has no role %(role)s.")
            % {"kind": OrganisationKind(organisation.kind).label, "role": role},
            fields={"role": [gettext("Not a role of this organisation kind.")]},
        )
    user = get_user_model().objects.create_user(username=username, password=password)
    member = Member.objects.create(
        user=user, organisation=organisation, organisation_kind=organisation.kind, role=role
    )
    audit_record(
        actor=actor,
        tag=AuditTag.MEMBER_CREATED,
        target=member,
        data_class=DataClass.ADMINISTRATIVE,
        details={"organisation": str(organisation.public_id), "role": role},
    )
    return member


def api_key_issue(
    *,
    member: Member,
    name: str,
    scopes: list[str],
    expires_in_days: int | None = None,
    actor: Actor | None,
    new_key: NewKey | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key to the member who asks for it; the plaintext is returned once and never stored."""
    # Refusals are checked (and audited) before the write's transaction, which would roll them back.
    _require_own_credential(actor=actor, member=member)
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise DomainError(
            gettext("Choose at least one known scope."),
            fields={"scopes": [gettext("Known scopes: %(scopes)s.") % {"scopes": ", ".join(Scope.values)}]},
        )
    _require_scopes_held(actor=actor, scopes=scopes)
    return _api_key_create(
        member=member,
        name=name,
        scopes=scopes,
        expires_in_days=expires_in_days,
        actor=actor,
        new_key=new_key or key_generate(),
    )


@transaction.atomic
def _api_key_create(
    *,
    member: Member,
    name: str,
    scopes: list[str],
    expires_in_days: int | None,
    actor: Actor | None,
    new_key: NewKey,
) -> tuple[ApiKey, str]:
    now = timezone.now()
    api_key = ApiKey.objects.create(
        member=member,
        created_by=member,  # _require_own_credential made sure the member is the one asking
        name=name,
        prefix=new_key.prefix,
        key_hash=new_key.key_hash,
        scopes=sorted(set(scopes)),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days or settings.HUB_API_KEY_DEFAULT_DAYS),
    )
    audit_record(
        actor=actor,
        tag=AuditTag.API_KEY_ISSUED,
        target=api_key,
        data_class=DataClass.ADMINISTRATIVE,
        details={"prefix": api_key.prefix, "scopes": api_key.scopes, "member": str(member.public_id)},
    )
    return api_key, new_key.plaintext


def _require_own_credential(*, actor: Actor | None, member: Member) -> None:
    """A credential is created only by the person it belongs to (DESIGN.md): dual approval rests on it."""
    if actor is None:
        # No actor: the hub itself on the member's behalf. Only seed_demo (which refuses to run in
        # production) and test fixtures do this; no request, task or other command reaches here.
        return
    require(
        actor,
        Capability.APIKEY_MANAGE,
        message=gettext("You may not manage API keys."),
        denied_tag=AuditTag.API_KEY_ISSUED,
        target_type="api_key",
    )
    if actor.member.pk != member.pk:
        _refuse(actor, AuditTag.API_KEY_ISSUED, "api_key", f"a key for another member {member.public_id}")
        raise ForbiddenError(
            gettext("An API key is created only by the member it belongs to: ask them to create it."),
            fields={"member": [gettext("You can create keys only for yourself.")]},
        )


def _require_scopes_held(*, actor: Actor | None, scopes: list[str]) -> None:
    """A new key never carries a scope its creator lacks: a web session has its role's scopes, a key its own."""
    if actor is None:
        return
    held = set(scopes_for(actor.organisation.kind, actor.role))
    if actor.api_key is not None:
        held &= set(actor.api_key.scopes)
    beyond = sorted(set(scopes) - held)
    if beyond:
        _refuse(
            actor, AuditTag.API_KEY_ISSUED, "api_key", f"scopes beyond the creator's: {', '.join(beyond)}"
        )
        raise ForbiddenError(
            gettext("A new key cannot carry scopes you do not hold."),
            fields={
                "scopes": [
                    gettext("You may grant only: %(scopes)s.") % {"scopes": ", ".join(sorted(held))}
                    if held
                    else gettext("You may grant no scope.")
                ]
            },
        )


def _refuse(actor: Actor, tag: AuditTag, target_type: str, reason: str) -> None:
    """Audit a refusal. Callers do it before the write's transaction opens: that one would roll the row back."""
    audit_record_denied(
        actor=actor, tag=tag, target_type=target_type, reason=reason, request_id=actor.request_id
    )


def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    """Revoke a key at once; revoking twice is harmless. Admins may revoke their members' keys."""
    # Outside the write's transaction: a refused probe's audit row must not roll back with it.
    _require_same_member_or_admin(actor=actor, api_key=api_key)
    return _api_key_revoke(api_key=api_key, actor=actor)


@transaction.atomic
def _api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        tag=AuditTag.API_KEY_REVOKED,
        target=api_key,
        data_class=DataClass.ADMINISTRATIVE,
        details={"prefix": api_key.prefix},
    )
    return api_key


def _require_same_member_or_admin(*, actor: Actor, api_key: ApiKey) -> None:
    """A member manages its own keys, an admin its organisation's; anyone else's key is not there: the
    audited 404 of scoped_get (the same visibility the API key routes look keys up with)."""
    require(actor, Capability.APIKEY_MANAGE, message=gettext("You may not manage API keys."))
    selectors.api_key_get(actor=actor, public_id=api_key.public_id)


@transaction.atomic
def organisation_set_encryption_key(*, public_key_hex: str, actor: Actor) -> Organisation:
    """A court registers the X25519 public key its disclosure packages are encrypted to."""
    require(
        actor, Capability.ENCRYPTION_KEY_SET, message=gettext("Only court clerks register an encryption key.")
    )
    try:
        key = bytes.fromhex(public_key_hex)
    except ValueError:
        key = b""
    if len(key) != 32 or key == bytes(32):
        raise DomainError(
            gettext("Not an X25519 public key."),
            fields={"public_key": [gettext("Give 32 bytes as 64 hexadecimal digits.")]},
        )
    organisation = lock_organisation(actor.organisation.pk)
    organisation.encryption_public_key, organisation.encryption_key_set_at = key.hex(), timezone.now()
    organisation.save(update_fields=["encryption_public_key", "encryption_key_set_at"])
    audit_record(
        actor=actor,
        tag=AuditTag.ENCRYPTION_KEY_SET,
        target=organisation,
        data_class=DataClass.ADMINISTRATIVE,
        details={"public_key": key.hex()},
    )
    return organisation


def jurisdiction_default(*, kind: str, country: str) -> str:
    """Where an organisation receives data when the operator names nowhere else: its own country, so a
    court or member abroad is never taken for a domestic one by omission (a foreign court's orders
    need the competent authority's approval, a member abroad a transfer basis). The operator is the
    hub itself: its data stays where the hub's data lives."""
    if kind == OrganisationKind.OPERATOR or not country_code_valid(country.upper()):
        return settings.HUB_DATA_RESIDENCY
    return country.upper()
