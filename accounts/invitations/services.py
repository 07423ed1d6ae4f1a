"""Writes on invitations and members' standing; each one transaction with its audit row.

An invitation's token is returned once (for the mail or the command's output) and stored only as
its SHA-256 hash. Audit rows name the invitation by its public id, never by the address it went to.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import DataClass, Outcome
from accounts.audit.services import audit_record, audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.invitations.models import Invitation
from accounts.locks import lock_invitation, lock_organisation
from accounts.mail.services import mail_queue
from accounts.models import Member, Organisation
from accounts.roles import VALID_ROLES, Capability, OrganisationKind, Role
from accounts.services import member_create
from hub.errors import ConflictError, DomainError, ForbiddenError, NotFoundError


class GoneError(DomainError):
    """The invitation existed but can no longer be used (expired, used or revoked)."""

    status_code = HTTPStatus.GONE
    code = "gone"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accept_url(token: str) -> str:
    return f"{settings.HUB_PUBLIC_URL}/invitations/accept/{token}/"


def _roles_message(kind: str) -> str:
    allowed = ", ".join(role.value for role in VALID_ROLES[OrganisationKind(kind)])
    return gettext("Choose one of the roles of this kind of organisation (%(kind)s): %(allowed)s.") % {
        "kind": OrganisationKind(kind).label,
        "allowed": allowed,
    }


def _address_taken(email: str) -> bool:
    return get_user_model().objects.filter(username__iexact=email).exists()


def invitation_create(
    *,
    email: str,
    role: str,
    actor: Actor | None,
    organisation: Organisation | None = None,
    send: bool = True,
) -> tuple[Invitation, str]:
    """Invite a person into an organisation; returns the invitation and its one-time token.

    An organisation admin invites into their own organisation. An operator admin may also invite
    the first admin of any organisation. `actor=None` is the hub itself (management commands)."""
    target = organisation if organisation is not None else (actor.organisation if actor else None)
    if target is None:
        raise DomainError(gettext("Name the organisation."), fields={"organisation": [gettext("Required.")]})
    if actor is not None:
        _require_may_invite(actor=actor, organisation=target, role=role)
    if role not in VALID_ROLES[OrganisationKind(target.kind)]:
        raise DomainError(
            gettext("This kind of organisation (%(kind)s) has no role %(role)s.")
            % {"kind": OrganisationKind(target.kind).label, "role": role},
            fields={"role": [_roles_message(target.kind)]},
        )
    return _invitation_save(
        email=email.strip().lower(), role=role, organisation=target, actor=actor, send=send
    )


def _require_may_invite(*, actor: Actor, organisation: Organisation, role: str) -> None:
    if organisation.pk == actor.organisation.pk:
        require(
            actor,
            Capability.MEMBER_MANAGE,
            message=gettext("Only your organisation's administrators invite members."),
            denied_tag=AuditTag.INVITATION_CREATED,
            target_type="invitation",
        )
        return
    require(
        actor,
        Capability.ORGANISATION_ADMIN,
        message=gettext("You invite members only into your own organisation."),
        denied_tag=AuditTag.INVITATION_CREATED,
        target_type="invitation",
    )
    has_admin = Member.objects.filter(organisation=organisation, role=Role.ADMIN).exists()
    if role != Role.ADMIN or has_admin:
        audit_record_denied(
            actor=actor,
            tag=AuditTag.INVITATION_CREATED,
            target_type="invitation",
            reason=f"not the first admin of organisation {organisation.public_id}",
            request_id=actor.request_id,
        )
        raise ForbiddenError(
            gettext(
                "Operators invite only an organisation's first administrator; its administrators invite the rest."
            ),
            fields={"role": [gettext("Only the first admin of another organisation.")]},
        )


@transaction.atomic
def _invitation_save(
    *, email: str, role: str, organisation: Organisation, actor: Actor | None, send: bool
) -> tuple[Invitation, str]:
    lock_organisation(organisation.pk)  # two admins inviting the same address at once: one wins
    if _address_taken(email):
        raise ConflictError(
            gettext("This address already belongs to a member of the hub."),
            fields={"email": [gettext("Already a member.")]},
        )
    now = timezone.now()
    if Invitation.objects.filter(
        organisation=organisation,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).exists():
        raise ConflictError(
            gettext(
                "A pending invitation to this address already exists; revoke it first to send a new one."
            ),
            fields={"email": [gettext("Already invited.")]},
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=actor.member if actor else None,
        created_at=now,
        expires_at=now + timedelta(days=settings.HUB_INVITATION_DAYS),
    )
    audit_record(
        actor=actor,
        tag=AuditTag.INVITATION_CREATED,
        target=invitation,
        data_class=DataClass.ADMINISTRATIVE,
        details={"organisation": str(organisation.public_id), "role": role},
    )
    if send:  # queued with the invitation: it leaves after commit, and not at all if this rolls back
        invitation_mail_queue(invitation=invitation, token=token)
    return invitation, token


def invitation_mail_queue(*, invitation: Invitation, token: str) -> None:
    """Queue the invitation mail (the outbox, accounts/mail): organisation, role, the one-time link and
    when it expires. An SMTP outage leaves it queued for the sweep; the invitation stands."""
    # In the language of the request that invites (the inviter's): the mail is rendered when queued.
    body = gettext(
        "You are invited to join %(organisation)s on the Infringer Intelligence Hub as %(role)s.\n\n"
        "Accept the invitation and set your password here (the link works once):\n\n"
        "    %(link)s\n\n"
        "The link expires on %(expires)s UTC. If you did not expect this invitation, ignore this message.\n"
    ) % {
        "organisation": invitation.organisation.name,
        "role": invitation.get_role_display().lower(),
        "link": accept_url(token),
        "expires": f"{invitation.expires_at:%Y-%m-%d %H:%M}",
    }
    mail_queue(
        to=invitation.email,
        subject=gettext("Invitation to join %(organisation)s")
        % {"organisation": invitation.organisation.name},
        body=body,
        about=invitation,
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Actor) -> Invitation:
    """Withdraw a pending invitation; its link stops working. Revoking twice is harmless."""
    _require_manages(actor=actor, organisation=invitation.organisation, tag=AuditTag.INVITATION_REVOKED)
    if invitation.accepted_at is not None:
        raise ConflictError(gettext("This invitation was already accepted; deactivate the member instead."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, tag=AuditTag.INVITATION_REVOKED, target=invitation, data_class=DataClass.ADMINISTRATIVE
    )
    return invitation


def _require_manages(*, actor: Actor, organisation: Organisation, tag: AuditTag) -> None:
    if actor.organisation.pk == organisation.pk:
        require(actor, Capability.MEMBER_MANAGE, message=gettext("Only administrators manage members."))
        return
    require(actor, Capability.ORGANISATION_ADMIN, message=gettext("Only administrators manage members."))


def invitation_for_token(*, token: str, request_id: str = "") -> Invitation:
    """The pending invitation a token opens; an unknown one is a 404, a spent one a 410, both audited."""
    invitation = (
        Invitation.objects.select_related("organisation").filter(token_hash=token_hash(token)).first()
    )
    if invitation is None:
        audit_record_denied(
            actor=None,
            tag=AuditTag.INVITATION_UNKNOWN_ATTEMPT,
            target_type="invitation",
            reason="no invitation has this token",
            request_id=request_id,
        )
        raise NotFoundError(
            gettext("No such invitation. Check that you copied the whole link from the mail.")
        )
    status = invitation.status
    if status != "pending":
        tag = (
            AuditTag.INVITATION_EXPIRED_ATTEMPT if status == "expired" else AuditTag.INVITATION_REUSED_ATTEMPT
        )
        with transaction.atomic():
            audit_record(
                actor=None,
                tag=tag,
                target=invitation,
                data_class=DataClass.ADMINISTRATIVE,
                outcome=Outcome.DENIED,
                details={"status": status},
                request_id=request_id,
            )
        messages = {
            "expired": "This invitation has expired. Ask your organisation's administrator for a new one.",
            "accepted": "This invitation was already used. Log in with the password you set.",
            "revoked": "This invitation was withdrawn. Ask your organisation's administrator for a new one.",
        }
        raise GoneError(messages[status])
    return invitation


def password_problems(*, invitation: Invitation, password: str) -> list[str]:
    """Django's password validators, judged against the future user."""
    user = get_user_model()(username=invitation.email, email=invitation.email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def invitation_accept(*, token: str, password: str, request_id: str = "") -> Member:
    """Accept: the person becomes a member with the invited role and the password they chose."""
    invitation = invitation_for_token(token=token, request_id=request_id)
    problems = password_problems(invitation=invitation, password=password)
    if problems:
        raise DomainError(gettext("Choose a stronger password."), fields={"password": problems})
    return _invitation_accept_save(invitation_pk=invitation.pk, password=password, request_id=request_id)


@transaction.atomic
def _invitation_accept_save(*, invitation_pk: int, password: str, request_id: str) -> Member:
    invitation = lock_invitation(invitation_pk)
    if invitation.status != "pending":  # accepted a moment ago by another request
        raise GoneError(gettext("This invitation was already used. Log in with the password you set."))
    if _address_taken(invitation.email):
        raise ConflictError(gettext("This address already belongs to a member of the hub."))
    member = member_create(
        organisation=invitation.organisation,
        username=invitation.email,
        role=Role(invitation.role),
        password=password,
        actor=None,
    )
    member.user.email = invitation.email
    member.user.save(update_fields=["email"])
    invitation.accepted_at = timezone.now()
    invitation.member = member
    invitation.save(update_fields=["accepted_at", "member"])
    audit_record(
        actor=Actor(member=member, request_id=request_id),
        tag=AuditTag.INVITATION_ACCEPTED,
        target=invitation,
        data_class=DataClass.ADMINISTRATIVE,
        details={"member": str(member.public_id), "role": invitation.role},
    )
    return member


def member_deactivate(*, member: Member, reason: str, actor: Actor) -> Member:
    """Deactivate a member: their API keys stop at once (ApiKey.is_usable), their sessions end (the user
    is inactive, so Django's backend no longer loads them). The last active admin stays."""
    _require_manages(actor=actor, organisation=member.organisation, tag=AuditTag.MEMBER_DEACTIVATED)
    return _member_deactivate_save(member_pk=member.pk, reason=reason, actor=actor)


@transaction.atomic
def _member_deactivate_save(*, member_pk: int, reason: str, actor: Actor) -> Member:
    member = Member.objects.select_related("user", "organisation").get(pk=member_pk)
    lock_organisation(member.organisation_id)  # two admins deactivating each other at once: one stays
    if member.active and member.role == Role.ADMIN:
        others = Member.objects.filter(organisation_id=member.organisation_id, role=Role.ADMIN, active=True)
        if not others.exclude(pk=member.pk).exists():
            raise ConflictError(
                gettext(
                    "This is the organisation's last active administrator: invite or reactivate another first."
                ),
                fields={"member": [gettext("The last active admin.")]},
            )
    member.active = False
    member.save(update_fields=["active"])
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        tag=AuditTag.MEMBER_DEACTIVATED,
        target=member,
        data_class=DataClass.ADMINISTRATIVE,
        details={"reason": reason},
    )
    return member


@transaction.atomic
def member_reactivate(*, member: Member, reason: str, actor: Actor) -> Member:
    _require_manages(actor=actor, organisation=member.organisation, tag=AuditTag.MEMBER_REACTIVATED)
    member.active = True
    member.save(update_fields=["active"])
    member.user.is_active = True
    member.user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        tag=AuditTag.MEMBER_REACTIVATED,
        target=member,
        data_class=DataClass.ADMINISTRATIVE,
        details={"reason": reason},
    )
    return member


def operator_organisation_ensure(*, name: str, country: str) -> tuple[Organisation, bool]:
    """The operator organisation, created (verified) on the operator's first day if there is none."""
    from accounts.services import organisation_create

    existing = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).order_by("created_at").first()
    if existing is not None:
        return existing, False
    return (
        organisation_create(
            name=name, kind=OrganisationKind.OPERATOR, country=country, verified=True, actor=None
        ),
        True,
    )
