"""Reads of disclosure requests, scoped so that another organisation's object is simply not there."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import holds_any
from accounts.roles import Capability
from accounts.scoped import scoped_get
from sharing.models import DisclosureRequest
from sharing.models.disclosure import OPEN_STATUSES
from sharing.subjects.services.tokens import stored_token_rows


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
        noun=gettext_noop("disclosure request"),
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


def disclosures_awaiting_approval_by(*, actor: Actor) -> QuerySet[DisclosureRequest]:
    """Open orders this officer has not approved yet, the nearest deadline first."""
    return (
        disclosures_visible_to(actor=actor)
        .filter(status__in=OPEN_STATUSES)
        .exclude(approvals__officer=actor.member)
        .order_by("deadline", "id")
    )


@dataclass(frozen=True)
class Person:
    """A member as a page names them: their name (or username) and organisation, never an id."""

    name: str
    organisation: str


def _person(member) -> Person:
    return Person(member.user.get_full_name() or member.user.get_username(), member.organisation.name)


@dataclass(frozen=True)
class Approval:
    officer: Person
    approved_at: datetime


def disclosure_approvals(request: DisclosureRequest) -> list[Approval]:
    approvals = request.approvals.select_related("officer__user", "officer__organisation")
    return [Approval(_person(a.officer), a.approved_at) for a in approvals.order_by("approved_at", "id")]


def disclosure_approved_by(request: DisclosureRequest, *, actor: Actor) -> bool:
    return request.approvals.filter(officer=actor.member).exists()


@dataclass(frozen=True)
class ScopeSummary:
    """What an order asks for, without a raw identifier: report ids, and counts of the rest."""

    reports: list[str]
    subjects: int
    identifiers: int
    fields: list[str]
    # Identifier types with their counts, for officers only (which tokens are on record is a match).
    identifier_types: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, scope: dict) -> ScopeSummary:
        return cls(
            sorted(scope.get("reports", [])),
            len(scope.get("subjects", [])),
            len(scope.get("tokens", [])) if isinstance(scope.get("tokens"), list) else 0,
            sorted(scope.get("fields", [])),
        )


def disclosure_scope_summary(request: DisclosureRequest, *, with_types: bool) -> ScopeSummary:
    summary = ScopeSummary.of(
        {
            "reports": request.scope_reports,
            "subjects": request.scope_subjects,
            "tokens": request.scope_tokens,
            "fields": request.scope_fields,
        }
    )
    if not with_types or not request.scope_tokens:
        return summary
    found = stored_token_rows(list(request.scope_tokens))
    types = Counter(row.identifier_type for row in found)
    if unknown := len(set(request.scope_tokens) - {row.bare_token for row in found}):
        types["unknown"] = unknown
    return ScopeSummary(**{**summary.__dict__, "identifier_types": dict(sorted(types.items()))})


@dataclass(frozen=True)
class Narrowing:
    officer: Person
    reason: str
    changed_at: datetime
    before: ScopeSummary
    after: ScopeSummary


def disclosure_narrowings(request: DisclosureRequest) -> list[Narrowing]:
    changes = request.scope_changes.select_related("officer__user", "officer__organisation")
    return [
        Narrowing(
            _person(c.officer), c.reason, c.changed_at, ScopeSummary.of(c.before), ScopeSummary.of(c.after)
        )
        for c in changes.order_by("changed_at", "id")
    ]
