"""Counter-notices: a platform disputes a listing; the reporter must answer in time.

Filing marks the reports disputed and notifies their reporters. A reporter shows a
complaint or suit was filed (answer); an operator then upholds or overturns with a
reason. Without an answer by the due date (working days) the reports are suspended
automatically and stop matching.
"""
from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.roles import Capability
from hub.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from sharing.models import Dispute, DisputeStatus, Notification, Report
from sharing.services.calendar import add_working_days
from sharing.services.match_gate import lookup_counts, lookup_gate
from sharing.services.reports import EvidenceFile
from sharing.services.restricted import restricted_store
from sharing.services.deadlines import DeadlinePassed, lapse_with_refusal, refusing_past_deadline
from sharing.services.subjects import reports_counting, subjects_relink
from sharing.services.tokens import RawIdentifier, SuppliedToken, identifiers_tokenise, stored_tokens_find
from sharing.services.watch_events import watch_changes


def dispute_file(*, identifiers: list[RawIdentifier | SuppliedToken], grounds: str, evidence: list[EvidenceFile],
                 actor: Actor) -> Dispute:
    """A platform contests the live reports behind a seller it hosts.

    Whether a dispute can be filed tells whether the seller is listed, so the lookup passes the
    gate of every match-revealing path, and a miss is audited before it answers 404.
    """
    _require(actor, Capability.DISPUTE_FILE)
    tokenised = identifiers_tokenise(identifiers=identifiers, default_country=actor.organisation.country)
    subject_ids = {row.subject_id for row in stored_tokens_find([t.token for t in tokenised]).values() if row.subject_id}
    reports = list(reports_counting().filter(identifiers__token__subject_id__in=subject_ids).distinct())
    lookup_gate(actor=actor, tokenised=tokenised, matched=bool(reports), tag=AuditTag.DISPUTE_FILED)
    if not reports:
        audit_record(actor=actor, tag=AuditTag.DISPUTE_NO_MATCH, data_class=DataClass.SHAREABLE, target_type="dispute",
                     details={"identifier_types": sorted({t.type for t in tokenised}), **lookup_counts(hits=0, looked_up=1)})
        raise NotFoundError("No live report matches this seller; there is nothing to dispute.")
    return _dispute_create(reports=reports, grounds=grounds, evidence=evidence, actor=actor)


@transaction.atomic
def _dispute_create(*, reports: list[Report], grounds: str, evidence: list[EvidenceFile], actor: Actor) -> Dispute:
    due = add_working_days(timezone.localdate(), settings.HUB_DISPUTE_RESPONSE_WORKING_DAYS)
    dispute = Dispute.objects.create(filed_by=actor.organisation, filed_by_member=actor.member, grounds=grounds, response_due=due)
    dispute.reports.set(reports)
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(disputed=True)
    _seal_evidence(dispute, "grounds_evidence", evidence)
    for organisation_id in {r.reporter_organisation_id for r in reports}:
        notify(organisation_id=organisation_id, kind="dispute.filed", data={"dispute": str(dispute.public_id), "due": due.isoformat()},
               message=f"A listing based on your reports is disputed. Show by {due.isoformat()} that a complaint or suit "
                       "was filed, or the reports will be suspended.")
    _audit(actor, AuditTag.DISPUTE_FILED, dispute, {"reports": len(reports), "due": due.isoformat(),
                                                    **lookup_counts(hits=1, looked_up=1)})
    return dispute


def dispute_answer(*, dispute: Dispute, note: str, evidence: list[EvidenceFile], actor: Actor) -> Dispute:
    """A reporter shows that a complaint or suit was filed; an operator will decide. Not after the due date."""
    lapse = lapse_with_refusal(lambda: _dispute_lapse(dispute.pk), actor=actor, tag=AuditTag.DISPUTE_ANSWERED,
                               target=dispute)
    return refusing_past_deadline(_answer, lapse=lapse, dispute=dispute, note=note, evidence=evidence, actor=actor)


@transaction.atomic
def _answer(*, dispute: Dispute, note: str, evidence: list[EvidenceFile], actor: Actor) -> Dispute:
    _require(actor, Capability.DISPUTE_RESPOND)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if not dispute.reports.filter(reporter_organisation=actor.organisation).exists():
        raise NotFoundError("No such dispute.")
    if dispute.status != DisputeStatus.OPEN:
        raise ConflictError(f"The dispute is {dispute.status}; it can no longer be answered.")
    if dispute.response_due < timezone.localdate():
        raise DeadlinePassed(f"The answer was due by {dispute.response_due:%Y-%m-%d}; the dispute has lapsed and "
                             "the disputed reports are suspended.")
    if not evidence:
        raise DomainError("Attach the filed complaint or suit.", fields={"evidence": ["At least one document."]})
    restricted_store(owner_type="dispute", owner_id=str(dispute.public_id), field=f"answer_note:{actor.organisation.public_id}",
                     payload=note.encode())
    _seal_evidence(dispute, f"answer_evidence:{actor.organisation.public_id}", evidence)
    dispute.status, dispute.answered_at = DisputeStatus.ANSWERED, timezone.now()
    dispute.save(update_fields=["status", "answered_at"])
    _audit(actor, AuditTag.DISPUTE_ANSWERED, dispute, {})
    return dispute


@transaction.atomic
def dispute_decide(*, dispute: Dispute, upheld: bool, reason: str, actor: Actor) -> Dispute:
    """An operator decides: the reports stand (upheld) or were unfounded (overturned)."""
    _require(actor, Capability.DISPUTE_DECIDE)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.status in (DisputeStatus.UPHELD, DisputeStatus.OVERTURNED):
        raise ConflictError(f"The dispute was already decided: {dispute.status}.")
    reports = list(dispute.reports.select_for_update().order_by("pk"))
    with watch_changes(reports):
        for report in reports:
            report.reinstate() if upheld else report.overturn()
            report.save()
            subjects_relink(report=report)
    dispute.status = DisputeStatus.UPHELD if upheld else DisputeStatus.OVERTURNED
    dispute.decided_by, dispute.decided_at, dispute.decision_reason = actor.member, timezone.now(), reason
    dispute.save()
    for organisation_id in {dispute.filed_by_id, *dispute.reports.values_list("reporter_organisation_id", flat=True)}:
        notify(organisation_id=organisation_id, kind=f"dispute.{dispute.status}", data={"dispute": str(dispute.public_id)},
               message=f"The dispute was decided: {dispute.status}. Reason: {reason}")
    _audit(actor, AuditTag.DISPUTE_DECIDED, dispute, {"outcome": dispute.status})
    _after_decision(dispute)
    return dispute


def _after_decision(dispute: Dispute) -> None:
    from sharing.services.reputation import reputation_refresh

    for organisation_id in set(dispute.reports.values_list("reporter_organisation_id", flat=True)):
        reputation_refresh(organisation_id=organisation_id)


def disputes_lapse(*, today=None) -> int:
    """Suspend the reports of disputes left unanswered past their due date; returns how many lapsed."""
    today = today or timezone.localdate()
    due = list(Dispute.objects.filter(status=DisputeStatus.OPEN, response_due__lt=today).values_list("pk", flat=True))
    for dispute_id in due:
        _dispute_lapse(dispute_id)
    return len(due)


@transaction.atomic
def _dispute_lapse(dispute_id: int) -> None:
    dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
    if dispute.status != DisputeStatus.OPEN:
        return  # answered meanwhile
    reports = list(dispute.reports.select_for_update().filter(status="accepted").order_by("pk"))
    with watch_changes(reports):
        for report in reports:
            report.suspend()
            report.save()
            subjects_relink(report=report)
    dispute.status = DisputeStatus.LAPSED
    dispute.save(update_fields=["status"])
    for organisation_id in {dispute.filed_by_id, *dispute.reports.values_list("reporter_organisation_id", flat=True)}:
        notify(organisation_id=organisation_id, kind="dispute.lapsed", data={"dispute": str(dispute.public_id)},
               message="No complaint or suit was shown in time: the disputed reports are suspended.")
    audit_record(actor=None, tag=AuditTag.DISPUTE_LAPSED, target=dispute, data_class=DataClass.ADMINISTRATIVE,
                 legal_basis=LegalBasis.OPERATOR_DUTY)


def disputes_visible_to(*, actor: Actor):
    """Operators see every dispute; a platform its own; a reporter those against its reports."""
    disputes = Dispute.objects.prefetch_related("reports").order_by("-filed_at", "-id")
    if actor.can(Capability.DISPUTE_DECIDE):
        return disputes
    own = disputes.filter(filed_by=actor.organisation) | disputes.filter(reports__reporter_organisation=actor.organisation)
    return own.distinct()


def dispute_get(*, actor: Actor, public_id) -> Dispute:
    try:
        return disputes_visible_to(actor=actor).get(public_id=public_id)
    except Dispute.DoesNotExist:
        raise NotFoundError("No such dispute.") from None


def dispute_read(*, actor: Actor, public_id) -> Dispute:
    """One dispute the actor is party to, its read audited."""
    found = dispute_get(actor=actor, public_id=public_id)
    audit_record(actor=actor, tag=AuditTag.DISPUTE_READ, target=found, data_class=DataClass.ADMINISTRATIVE)
    return found


def disputes_page_audit(*, actor: Actor, page: list[Dispute]) -> None:
    audit_record(actor=actor, tag=AuditTag.DISPUTE_READ, data_class=DataClass.ADMINISTRATIVE, target_type="dispute",
                 details={"count": len(page)})


def notifications_of(*, actor: Actor):
    return Notification.objects.filter(organisation=actor.organisation)


def notifications_page_audit(*, actor: Actor, page: list[Notification]) -> None:
    audit_record(actor=actor, tag=AuditTag.NOTIFICATIONS_READ, data_class=DataClass.ADMINISTRATIVE,
                 target_type="notification", details={"count": len(page)})


def notify(*, organisation_id: int, kind: str, message: str, data: dict) -> Notification:
    return Notification.objects.create(organisation_id=organisation_id, kind=kind, message=message, data=data)


def _seal_evidence(dispute: Dispute, prefix: str, evidence: list[EvidenceFile]) -> None:
    for index, item in enumerate(evidence):
        meta = {"name": item.name, "content_type": item.content_type, "size": len(item.content)}
        restricted_store(owner_type="dispute", owner_id=str(dispute.public_id), field=f"{prefix}:{index}:meta",
                         payload=json.dumps(meta).encode())
        restricted_store(owner_type="dispute", owner_id=str(dispute.public_id), field=f"{prefix}:{index}", payload=item.content)


def _require(actor: Actor, capability: Capability) -> None:
    if not actor.can(capability):
        raise ForbiddenError(f"Your role does not grant {capability.value}.")


def _audit(actor: Actor, tag: AuditTag, dispute: Dispute, details: dict) -> None:
    audit_record(actor=actor, tag=tag, target=dispute, data_class=DataClass.ADMINISTRATIVE, details=details)
