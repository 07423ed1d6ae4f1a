"""Reads on organisations, keys and the audit log, scoped to what the actor may see."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from accounts.actors import Actor
from accounts.audit.models import Alert, AuditEvent, DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.models import ApiKey, Member, Organisation
from accounts.roles import Role
from accounts.scoped import scoped_get


def api_keys_visible_to(*, actor: Actor) -> QuerySet[ApiKey]:
    """An admin sees the keys of the whole organisation; everyone else only their own."""
    keys = ApiKey.objects.select_related("member__user", "created_by").order_by("created_at")
    if actor.role == Role.ADMIN:
        return keys.filter(member__organisation=actor.organisation)
    return keys.filter(member=actor.member)


def api_key_get(*, actor: Actor, public_id) -> ApiKey:
    return scoped_get(
        actor=actor,
        queryset=api_keys_visible_to(actor=actor),
        public_id=public_id,
        tag=AuditTag.API_KEY_REVOKED,
        target_type="api_key",
        noun=gettext_noop("API key"),
    )


def organisations_all() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


def organisation_get(*, actor: Actor, public_id) -> Organisation:
    """Any organisation (only operators name others'); a miss is a probe, audited."""
    return scoped_get(
        actor=actor,
        queryset=organisations_all(),
        public_id=public_id,
        tag=AuditTag.ORGANISATION_READ,
        target_type="organisation",
        noun=gettext_noop("organisation"),
    )


def audit_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("organisation", "actor_member__user", "actor_api_key").order_by(
        "-id"
    )


def member_of_organisation(*, actor: Actor, public_id) -> Member:
    """A member of the actor's own organisation, or NotFound (audited: naming strangers is probing)."""
    return scoped_get(
        actor=actor,
        queryset=Member.objects.filter(organisation=actor.organisation),
        public_id=public_id,
        tag=AuditTag.ACCESS_DENIED,
        target_type="member",
        noun=gettext_noop("member"),
    )


@transaction.atomic
def organisation_read(*, actor: Actor, public_id) -> Organisation:
    organisation = organisation_get(actor=actor, public_id=public_id)
    audit_record(
        actor=actor, tag=AuditTag.ORGANISATION_READ, target=organisation, data_class=DataClass.ADMINISTRATIVE
    )
    return organisation


def organisations_page_audit(*, actor: Actor, page: list[Organisation]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.ORGANISATION_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="organisation",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"count": len(page)},
    )


def api_keys_page_audit(*, actor: Actor, page: list[ApiKey]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.API_KEY_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="api_key",
        details={"count": len(page), "prefixes": [k.prefix for k in page]},
    )


def audit_page_audit(*, actor: Actor, page: list[AuditEvent], filters: dict) -> None:
    """Reading the audit log is itself audited, with the filters used."""
    audit_record(
        actor=actor,
        tag=AuditTag.AUDIT_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="audit_event",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"count": len(page), "filters": filters},
    )


def alerts_page_audit(*, actor: Actor, page: list[Alert]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.ALERT_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="alert",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"count": len(page)},
    )
