"""Reads on invitations and members, scoped to the actor's organisation."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import holds_any
from accounts.invitations.models import Invitation
from accounts.models import Member, Organisation
from accounts.roles import Capability
from accounts.scoped import scoped_get
from accounts.two_factor.selectors import has_second_factor


def invitations_of(*, actor: Actor) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=actor.organisation).select_related("organisation")


def invitations_list(*, actor: Actor) -> QuerySet[Invitation]:
    return invitations_of(actor=actor).order_by("-created_at")


def invitation_get(*, actor: Actor, public_id) -> Invitation:
    return scoped_get(
        actor=actor,
        queryset=invitations_of(actor=actor),
        public_id=public_id,
        tag=AuditTag.INVITATION_REVOKED,
        target_type="invitation",
        noun=gettext_noop("invitation"),
    )


def members_of(*, actor: Actor) -> QuerySet[Member]:
    return (
        Member.objects.filter(organisation=actor.organisation)
        .select_related("user", "organisation")
        .order_by("created_at", "id")
    )


def member_get(*, actor: Actor, public_id) -> Member:
    return scoped_get(
        actor=actor,
        queryset=members_of(actor=actor),
        public_id=public_id,
        tag=AuditTag.MEMBER_DEACTIVATED,
        target_type="member",
        noun=gettext_noop("member"),
    )


def organisation_to_invite_into(*, actor: Actor, public_id) -> Organisation:
    """Operators may name any organisation (to invite its first admin); everyone else only their own,
    so another organisation's id is answered as a missing one."""
    organisations = Organisation.objects.all()
    if not holds_any(actor, (Capability.ORGANISATION_ADMIN,)):
        organisations = organisations.filter(pk=actor.organisation.pk)
    return scoped_get(
        actor=actor,
        queryset=organisations,
        public_id=public_id,
        tag=AuditTag.INVITATION_CREATED,
        target_type="organisation",
        noun=gettext_noop("organisation"),
    )


def organisation_by_name_or_id(value: str) -> Organisation | None:
    """For the management commands: an organisation named by its public id or its exact name."""
    from accounts.scoped import public_id_or_none

    wanted = public_id_or_none(value)
    found = Organisation.objects.filter(public_id=wanted).first() if wanted else None
    return found or Organisation.objects.filter(name=value).first()


def invitations_page_audit(*, actor: Actor, page: list[Invitation]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.INVITATION_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="invitation",
        details={"count": len(page), "ids": [str(i.public_id) for i in page]},
    )


def members_page_audit(*, actor: Actor, page: list[Member]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.MEMBER_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="member",
        details={"count": len(page), "ids": [str(m.public_id) for m in page]},
    )


def two_factor_enrolled(member: Member) -> bool:
    """Whether the member has a confirmed second factor (an admin sees who still has to enrol)."""
    return has_second_factor(member.user)
