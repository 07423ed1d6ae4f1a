"""Reads of disclosure requests, scoped so that another organisation's object is simply not there."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import holds_any
from accounts.roles import Capability
from accounts.scoped import scoped_get
from sharing.models import DisclosureRequest


def disclosures_visible_to(*, actor: Actor) -> QuerySet[DisclosureRequest]:
    """Officers see every order; a court sees only its own."""
    requests = DisclosureRequest.objects.prefetch_related("approvals__officer").order_by(
        "-submitted_at", "-id"
    )
    if holds_any(actor, [Capability.DISCLOSURE_APPROVE]):
        return requests
    return requests.filter(court=actor.organisation)


def disclosure_get(*, actor: Actor, public_id) -> DisclosureRequest:
    return scoped_get(
        actor=actor,
        queryset=disclosures_visible_to(actor=actor),
        public_id=public_id,
        tag=AuditTag.DISCLOSURE_READ,
        target_type="disclosure",
        noun="disclosure request",
    )


def disclosure_read(*, actor: Actor, public_id) -> DisclosureRequest:
    request = disclosure_get(actor=actor, public_id=public_id)
    audit_record(
        actor=actor,
        tag=AuditTag.DISCLOSURE_READ,
        target=request,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=request.legal_basis_tag,
    )
    return request


def disclosures_page_audit(*, actor: Actor, page: list[DisclosureRequest]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.DISCLOSURE_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="disclosure",
        legal_basis=LegalBasis.OPERATOR_DUTY
        if holds_any(actor, [Capability.DISCLOSURE_APPROVE])
        else LegalBasis.MEMBERSHIP_TERMS,
        details={"count": len(page)},
    )
