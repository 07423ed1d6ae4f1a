"""Court disclosure: the only path by which restricted data leaves the hub.

A court submits an order; two distinct operator disclosure officers approve; a task
decrypts only the in-scope records, each decryption audited first in the same
transaction, and seals a signed package to the court's key; the court downloads it
a bounded number of times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import alert_raise, audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.errors import ConflictError, DomainError
from hub.tasks_enqueue import enqueue_after_commit, task_named
from hub.wording import starts_with_vowel, status_word
from sharing import locks
from sharing.checks.services.match_gate import lookup_counts, lookup_gate
from sharing.disclosure.services.jurisdiction import authority_approval_require, authority_approver_distinct
from sharing.models import (
    DisclosureApproval,
    DisclosureRequest,
    DisclosureScopeChange,
    DisclosureStatus,
    RestrictedField,
)
from sharing.models.disclosure import OPEN_STATUSES
from sharing.reports.services.deadlines import DeadlinePassed, lapse_with_refusal, refusing_past_deadline
from sharing.reports.services.reports import EvidenceFile
from sharing.restricted.services.restricted import restricted_store
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    TokenisedIdentifier,
    identifiers_tokenise,
    stored_tokens_of,
)


@dataclass(frozen=True)
class DisclosureScope:
    reports: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    # The identifiers the court named, tokenised: their types and numbers feed the lookup gate; only `tokens` is kept.
    named: tuple[TokenisedIdentifier, ...] = ()

    def as_dict(self) -> dict:
        return {
            "reports": sorted(self.reports),
            "subjects": sorted(self.subjects),
            "tokens": sorted(self.tokens),
            "fields": sorted(self.fields),
        }


def scope_of(request: DisclosureRequest) -> DisclosureScope:
    return DisclosureScope(
        request.scope_reports, request.scope_subjects, request.scope_tokens, request.scope_fields
    )


def scope_identifiers_tokenise(
    identifiers: list[RawIdentifier | SuppliedToken], *, default_country: str
) -> list[TokenisedIdentifier]:
    """A court may name identifiers raw or as tokens; only the tokens are kept."""
    return identifiers_tokenise(identifiers=identifiers, default_country=default_country)


def disclosure_request_submit(
    *,
    case_number: str,
    issuing_court: str,
    legal_basis: str,
    scope: DisclosureScope,
    deadline: datetime,
    order_document: EvidenceFile,
    actor: Actor,
) -> DisclosureRequest:
    """A court files an order; its document is sealed into the restricted tier.

    The package will tell the court which of the identifiers it named are listed, so they pass
    the gate of every match-revealing path when the order is filed.
    """
    require(actor, Capability.DISCLOSURE_REQUEST)
    if not actor.organisation.encryption_public_key:
        raise DomainError(
            gettext("Register your court's encryption key first (PUT /api/v1/organisation/encryption-key).")
        )
    if deadline <= timezone.now():
        raise DomainError(
            gettext("The deadline must be in the future."),
            fields={"deadline": [gettext("Give a future date and time.")]},
        )
    looked_up = _scope_looked_up(scope)
    hits = sum(1 for row in stored_tokens_of(looked_up) if row.subject_id)
    if looked_up:
        lookup_gate(actor=actor, tokenised=looked_up, matched=bool(hits), tag=AuditTag.DISCLOSURE_SUBMITTED)
    return _disclosure_request_create(
        case_number=case_number,
        issuing_court=issuing_court,
        legal_basis=legal_basis,
        scope=scope,
        deadline=deadline,
        order_document=order_document,
        actor=actor,
        lookup=lookup_counts(hits=hits, looked_up=len(looked_up)),
    )


def _scope_looked_up(scope: DisclosureScope) -> list[TokenisedIdentifier]:
    """Every token the scope names, with its type and number when the court named it raw (bare tokens have neither)."""
    named = {item.token for item in scope.named}
    return [
        *scope.named,
        *(TokenisedIdentifier(type="", token=t, key_version=0) for t in scope.tokens if t not in named),
    ]


@transaction.atomic
def _disclosure_request_create(
    *,
    case_number: str,
    issuing_court: str,
    legal_basis: str,
    scope: DisclosureScope,
    deadline: datetime,
    order_document: EvidenceFile,
    actor: Actor,
    lookup: dict,
) -> DisclosureRequest:
    request = DisclosureRequest.objects.create(
        court=actor.organisation,
        requested_by=actor.member,
        case_number=case_number,
        issuing_court=issuing_court,
        legal_basis=legal_basis,
        scope_reports=scope.reports,
        scope_subjects=scope.subjects,
        scope_tokens=scope.tokens,
        scope_fields=scope.fields,
        deadline=deadline,
        max_downloads=settings.HUB_DISCLOSURE_MAX_DOWNLOADS,
    )
    restricted_store(
        owner_type="disclosure",
        owner_id=str(request.public_id),
        field="order_document",
        payload=json.dumps(
            {"name": order_document.name, "content_type": order_document.content_type}
        ).encode()
        + b"\n"
        + order_document.content,
    )
    _audit(
        actor,
        AuditTag.DISCLOSURE_SUBMITTED,
        request,
        {"scope": scope.as_dict() | {"tokens": len(scope.tokens)}, **lookup},
    )
    return request


def disclosure_approve(*, request: DisclosureRequest, actor: Actor) -> DisclosureRequest:
    """One officer's approval; the second distinct officer's approval approves the order."""
    return refusing_lapsed(_approve, request=request, actor=actor, tag=AuditTag.DISCLOSURE_APPROVED)


@transaction.atomic
def _approve(*, request: DisclosureRequest, actor: Actor) -> DisclosureRequest:
    require(actor, Capability.DISCLOSURE_APPROVE)
    request = locks.lock_disclosure(request.pk)
    require_open(request)
    if request.approvals.filter(officer=actor.member).exists():
        raise ConflictError(gettext("You have already approved this request; a second officer must approve."))
    authority_approver_distinct(request, actor=actor)
    DisclosureApproval.objects.create(request=request, officer=actor.member)
    request.status = DisclosureStatus.UNDER_REVIEW
    if request.approvals.values("officer").distinct().count() >= 2:
        # The approval that would let the package be built: a foreign court's order needs the authority's too.
        authority_approval_require(request)
        request.status, request.approved_at = DisclosureStatus.APPROVED, timezone.now()
        request.approval_expires_at = request.approved_at + timedelta(
            days=settings.HUB_DISCLOSURE_APPROVAL_DAYS
        )
        # The order in the database is the record: a lost send is found by disclosure_builds_sweep.
        enqueue_after_commit(_build_task(), [request.pk])
    request.save()
    _audit(actor, AuditTag.DISCLOSURE_APPROVED, request, {"status": request.status})
    return request


def _build_task():
    return task_named("sharing.tasks.disclosure_package_build_task")


def disclosure_reject(*, request: DisclosureRequest, reason: str, actor: Actor) -> DisclosureRequest:
    _require_reason(reason)
    return refusing_lapsed(
        _reject, request=request, reason=reason, actor=actor, tag=AuditTag.DISCLOSURE_REJECTED
    )


@transaction.atomic
def _reject(*, request: DisclosureRequest, reason: str, actor: Actor) -> DisclosureRequest:
    require(actor, Capability.DISCLOSURE_APPROVE)
    request = locks.lock_disclosure(request.pk)
    require_open(request)
    request.status, request.decision_reason, request.closed_at = (
        DisclosureStatus.REJECTED,
        reason,
        timezone.now(),
    )
    request.save()
    _audit(actor, AuditTag.DISCLOSURE_REJECTED, request, {"reason": reason})
    return request


def disclosure_narrow(
    *, request: DisclosureRequest, scope: DisclosureScope, reason: str, actor: Actor
) -> DisclosureRequest:
    """An officer narrows the scope before approval; it can only shrink, and needs a reason."""
    _require_reason(reason)
    return refusing_lapsed(
        _narrow, request=request, scope=scope, reason=reason, actor=actor, tag=AuditTag.DISCLOSURE_NARROWED
    )


@transaction.atomic
def _narrow(
    *, request: DisclosureRequest, scope: DisclosureScope, reason: str, actor: Actor
) -> DisclosureRequest:
    require(actor, Capability.DISCLOSURE_APPROVE)
    request = locks.lock_disclosure(request.pk)
    require_open(request)
    before = scope_of(request)
    if not all(
        set(getattr(scope, part)) <= set(getattr(before, part))
        for part in ("reports", "subjects", "tokens", "fields")
    ):
        raise DomainError(
            gettext("Narrowing can only remove items from the scope."),
            fields={"scope": [gettext("Not a subset of the current scope.")]},
        )
    if not (scope.reports or scope.subjects or scope.tokens) or not scope.fields:
        raise DomainError(
            gettext("Narrowing cannot empty the scope; reject the request instead."),
            fields={"scope": [gettext("Nothing would remain.")]},
        )
    DisclosureScopeChange.objects.create(
        request=request, officer=actor.member, reason=reason, before=before.as_dict(), after=scope.as_dict()
    )
    request.scope_reports, request.scope_subjects, request.scope_tokens, request.scope_fields = (
        scope.reports,
        scope.subjects,
        scope.tokens,
        scope.fields,
    )
    request.save()
    _audit(actor, AuditTag.DISCLOSURE_NARROWED, request, {"reason": reason})
    return request


@transaction.atomic
def disclosure_withdraw(*, request: DisclosureRequest, actor: Actor) -> DisclosureRequest:
    require(actor, Capability.DISCLOSURE_REQUEST)
    request = locks.lock_disclosure(request.pk)
    if request.status in (
        DisclosureStatus.DELIVERED,
        DisclosureStatus.REJECTED,
        DisclosureStatus.EXPIRED,
        DisclosureStatus.WITHDRAWN,
    ):
        message = (
            gettext("An %(status)s request cannot be withdrawn.")
            if starts_with_vowel(request.status)
            else gettext("A %(status)s request cannot be withdrawn.")
        )
        raise ConflictError(message % {"status": status_word(DisclosureStatus, request.status)})
    request.status, request.closed_at = DisclosureStatus.WITHDRAWN, timezone.now()
    request.save()
    _audit(actor, AuditTag.DISCLOSURE_WITHDRAWN, request, {})
    return request


# --- deadlines, honoured at the moment of every action -----------------------------------------
# An open order lapses at its deadline; an approval at approval_expires_at. The hourly task only
# tidies up: every action re-reads the clock under the row lock, so nothing is done late.

LAPSING_STATUSES = (DisclosureStatus.APPROVED, DisclosureStatus.PACKAGE_READY)


def lapse_of(request: DisclosureRequest, now: datetime) -> str | None:
    """Why the order can no longer be acted on at `now`, or None while it can."""
    if request.status in OPEN_STATUSES and request.deadline < now:
        return (
            f"The order's deadline ({request.deadline:%Y-%m-%d %H:%M} UTC) has passed; the order has expired."
        )
    expires = request.approval_expires_at
    if request.status in (*LAPSING_STATUSES, DisclosureStatus.DELIVERED) and expires and expires < now:
        return f"The approval expired at {expires:%Y-%m-%d %H:%M} UTC; the order can no longer be acted on."
    return None


def require_not_lapsed(request: DisclosureRequest) -> None:
    """Call under the order's row lock, in the action's transaction."""
    why = lapse_of(request, timezone.now())
    if why:
        raise DeadlinePassed(why)


def refusing_lapsed(action, *, request: DisclosureRequest, actor: Actor | None, tag: AuditTag, **arguments):
    """Run the action; if the order lapsed, expire it and audit the refusal (committed), then answer 409."""
    return refusing_past_deadline(
        action,
        lapse=disclosure_lapse(request=request, actor=actor, tag=tag),
        request=request,
        actor=actor,
        **arguments,
    )


def disclosure_lapse(*, request: DisclosureRequest, actor: Actor | None, tag: AuditTag):
    """Expire a lapsed order now rather than at the next hourly run, and audit the refused action."""
    return lapse_with_refusal(
        lambda: _expire(request, timezone.now()),
        actor=actor,
        tag=tag,
        target=request,
        legal_basis=request.legal_basis_tag,
        details={"order_reference": request.order_reference},
    )


def _expire(request: DisclosureRequest, now: datetime) -> bool:
    """Expire the order if it is still open or approved; call inside a transaction."""
    locked = locks.lock_disclosure_if(request.pk, status__in=(*OPEN_STATUSES, *LAPSING_STATUSES))
    if locked is None:
        return False
    DisclosureRequest.objects.filter(pk=locked.pk).update(status=DisclosureStatus.EXPIRED, closed_at=now)
    _audit(None, AuditTag.DISCLOSURE_EXPIRED, locked, {})
    if locked.status == DisclosureStatus.APPROVED:  # approved but never built: the court got nothing
        disclosure_build_alert(locked, reason="approval_expired_unbuilt")
    return True


def disclosure_build_alert(request: DisclosureRequest, *, reason: str) -> None:
    """Tell the operators an approved order is not being built; one open alert per order."""
    alert_raise(
        kind="disclosure_build_failed",
        organisation=request.court,
        severity="high",
        dedupe_key=f"disclosure_build_failed:{request.public_id}",
        details={"request": str(request.public_id), "attempts": request.build_attempts, "reason": reason},
    )


def disclosures_expire(*, now: datetime | None = None) -> int:
    """Expire open orders past their deadline and approvals past their validity."""
    now = now or timezone.now()
    overdue = DisclosureRequest.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now)
    lapsed = DisclosureRequest.objects.filter(status__in=LAPSING_STATUSES, approval_expires_at__lt=now)
    count = 0
    for request in list(overdue) + list(lapsed):
        with transaction.atomic():
            count += _expire(request, now)
    return count


def approvals_of(request: DisclosureRequest) -> list[dict]:
    return [
        {"officer": str(a.officer.public_id), "approved_at": a.approved_at.isoformat()}
        for a in request.approvals.select_related("officer").order_by("approved_at")
    ]


def fields_in_scope(request: DisclosureRequest, record_field: str) -> bool:
    base = record_field.split(":")[0]
    return base in request.scope_fields and base in RestrictedField.values


def _require_reason(reason: str) -> None:
    """The API's and the pages' input serializers hold the full rule; this keeps any other caller
    from reaching the database constraint (a 500) with a blank reason."""
    if not reason.strip():
        raise DomainError(gettext("Give a reason."), fields={"reason": [gettext("A reason is required.")]})


def require_open(request: DisclosureRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise ConflictError(
            gettext("The request is %(status)s; it can no longer be reviewed.")
            % {"status": status_word(DisclosureStatus, request.status)}
        )
    require_not_lapsed(request)


def _audit(actor: Actor | None, tag: AuditTag, request: DisclosureRequest, details: dict) -> None:
    audit_record(
        actor=actor,
        tag=tag,
        target=request,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=request.legal_basis_tag,
        details={"order_reference": request.order_reference, **details},
    )
