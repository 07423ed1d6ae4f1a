"""Counter-notices: a platform disputes a listing; the reporter must answer in time.

Filing marks the reports disputed and notifies their reporters. A reporter shows a
complaint or suit was filed (answer); an operator then upholds or overturns with a
reason. Without an answer by the due date (working days) the reports are suspended
automatically and stop matching.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis, Outcome
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import holds_any, require
from accounts.roles import Capability
from accounts.scoped import scoped_get
from hub.errors import ConflictError, DomainError, NotFoundError
from hub.wording import status_word
from hubcore.identifiers.types import IDENTIFIER_STRENGTH, IdentifierType, Strength
from sharing import locks
from sharing.checks.services.match_gate import lookup_counts, lookup_gate
from sharing.feed.services.publish import feed_changes
from sharing.models import (
    CoverageState,
    Dispute,
    DisputedReport,
    DisputeStatus,
    Notification,
    Report,
    ReportStatus,
)
from sharing.models.disputes import LIVE_COVERAGE_STATES
from sharing.reports.services.calendar import add_working_days
from sharing.reports.services.deadlines import DeadlinePassed, lapse_with_refusal, refusing_past_deadline
from sharing.reports.services.notifications import notify
from sharing.reports.services.reports import EvidenceFile
from sharing.reports.services.reputation import reputation_refresh
from sharing.restricted.services.restricted import restricted_store
from sharing.subjects.services.subjects import reports_counting, subjects_relink
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    identifiers_tokenise,
    stored_tokens_of,
)
from sharing.watchlists.services.watch_events import watch_changes


def dispute_file(
    *,
    identifiers: list[RawIdentifier | SuppliedToken],
    grounds: str,
    evidence: list[EvidenceFile],
    actor: Actor,
) -> Dispute:
    """A platform or courier contests the live reports that name the seller's own strong or medium identifiers.

    Only those reports are covered, never the whole subject: a namesake or a shared warehouse
    (weak identifiers) disputes nothing. Whether a dispute can be filed tells whether the seller
    is listed, so the lookup passes the gate of every match-revealing path, and a miss is audited
    before it answers 404.
    """
    require(actor, Capability.DISPUTE_FILE)
    tokenised = identifiers_tokenise(identifiers=identifiers, default_country=actor.organisation.country)
    reports = _reports_naming(tokenised)
    lookup_gate(actor=actor, tokenised=tokenised, matched=bool(reports), tag=AuditTag.DISPUTE_FILED)
    if not reports:
        audit_record(
            actor=actor,
            tag=AuditTag.DISPUTE_NO_MATCH,
            data_class=DataClass.SHAREABLE,
            target_type="dispute",
            details={
                "identifier_types": sorted({t.type for t in tokenised}),
                **lookup_counts(hits=0, looked_up=1),
            },
        )
        raise NotFoundError(
            gettext(
                "No live report names this seller's strong or medium identifiers; there is nothing to dispute."
            )
        )
    _refuse_second_live_dispute(reports=reports, actor=actor)
    try:
        return _dispute_create(reports=reports, grounds=grounds, evidence=evidence, actor=actor)
    except IntegrityError:  # a concurrent filing won the race to the database's one-live-dispute rule
        _refuse_second_live_dispute(reports=reports, actor=actor)
        raise


def _reports_naming(tokenised) -> list[Report]:
    """Live reports naming one of these identifiers itself; weak identifiers match nothing."""
    naming = [t for t in tokenised if IDENTIFIER_STRENGTH[IdentifierType(t.type)] != Strength.WEAK]
    stored = [row.pk for row in stored_tokens_of(naming)]
    return list(reports_counting().filter(identifiers__token_id__in=stored).distinct().order_by("pk"))


@transaction.atomic
def _dispute_create(
    *, reports: list[Report], grounds: str, evidence: list[EvidenceFile], actor: Actor
) -> Dispute:
    dispute = _dispute_open(
        reports=reports,
        grounds=grounds,
        evidence=evidence,
        filer={"filed_by": actor.organisation, "filed_by_member": actor.member},
    )
    _audit(
        actor,
        AuditTag.DISPUTE_FILED,
        dispute,
        {
            "reports": len(reports),
            "due": dispute.response_due.isoformat(),
            **lookup_counts(hits=1, looked_up=1),
        },
    )
    return dispute_invariant_check(dispute)


def _dispute_open(
    *, reports: list[Report], grounds: str, evidence: list[EvidenceFile], filer: dict
) -> Dispute:
    """The dispute, its covered reports each with the reporter's clock, the listing marked disputed,
    the reporters told; `filer` is an organisation and its member, or the listed person."""
    days = settings.HUB_DISPUTE_RESPONSE_WORKING_DAYS
    due = add_working_days(timezone.localdate(), days)
    dispute = Dispute.objects.create(grounds=grounds, response_due=due, **filer)
    DisputedReport.objects.bulk_create(
        DisputedReport(
            dispute=dispute, report=report, filed_by=dispute.filed_by, working_days=days, response_due=due
        )
        for report in reports
    )
    with feed_changes(reports):  # the listing shows it is disputed
        Report.objects.filter(pk__in=[r.pk for r in reports]).update(disputed=True)
    _seal_evidence(dispute, "grounds_evidence", evidence)
    for organisation_id in {r.reporter_organisation_id for r in reports}:
        notify(
            organisation_id=organisation_id,
            kind="dispute.filed",
            data={"dispute": str(dispute.public_id), "due": due.isoformat()},
        )
    return dispute


# What a listed person's dispute says in the clear: their own words are sealed as its first document.
SUBJECT_GROUNDS = "Filed by the listed person; their grounds are sealed as the first grounds document."


def dispute_file_by_subject(*, tokenised: list, grounds: str, request_id: str = "") -> Dispute:
    """The listed person contests the live reports naming identifiers they proved control of.

    The same rules as a platform's dispute: the same covered reports, the reporters' windows in
    working days, notices, lapse and decision. Their grounds may name them, so they are sealed.
    """
    reports = _reports_naming(tokenised)
    if not reports:
        # Not a 404: the person proved this identifier, so nothing is probed; there is just nothing live.
        raise ConflictError(gettext("No live report names your identifier; there is nothing to appeal."))
    reports = _not_decided_on_subject_appeal(reports, request_id=request_id)
    live = DisputedReport.objects.filter(
        report__in=reports, filed_by__isnull=True, state__in=LIVE_COVERAGE_STATES
    ).exists()
    if live:
        raise ConflictError(
            gettext("Your appeal of these reports is still open; its outcome is on this page.")
        )
    try:
        return _subject_dispute_create(reports=reports, grounds=grounds, request_id=request_id)
    except IntegrityError:  # a concurrent filing won the race to the one-live-dispute rule
        raise ConflictError(
            gettext("Your appeal of these reports is still open; its outcome is on this page.")
        ) from None


DECIDED_COVERAGE_STATES = (CoverageState.UPHELD, CoverageState.OVERTURNED)


def _not_decided_on_subject_appeal(reports: list[Report], *, request_id: str) -> list[Report]:
    """The reports the person has not yet appealed to a decision. A decided appeal stands with its
    reasons: appealing the same report again would restart its reporter's window each time and win by
    lapse in the end. A further challenge goes to a court, or to the operators as a correction request."""
    decided = set(
        DisputedReport.objects.filter(
            report__in=reports, filed_by__isnull=True, state__in=DECIDED_COVERAGE_STATES
        ).values_list("report_id", flat=True)
    )
    remaining = [r for r in reports if r.pk not in decided]
    if remaining:
        return remaining
    with transaction.atomic():
        audit_record(
            actor=None,
            tag=AuditTag.DISPUTE_FILED,
            target_type="dispute",
            data_class=DataClass.ADMINISTRATIVE,
            legal_basis=LegalBasis.DATA_SUBJECT_RIGHTS,
            outcome=Outcome.DENIED,
            details={"reason": "the subject's appeal of these reports was decided", "reports": len(reports)},
            request_id=request_id,
        )
    raise ConflictError(
        gettext(
            "Your appeal of these reports was decided; the decision and its reasons stand. To challenge it "
            "further, go to a court, or send the hub's operators a correction request below."
        )
    )


@transaction.atomic
def _subject_dispute_create(*, reports: list[Report], grounds: str, request_id: str) -> Dispute:
    dispute = _dispute_open(
        reports=reports,
        grounds=SUBJECT_GROUNDS,
        evidence=[EvidenceFile("grounds.txt", "text/plain", grounds.encode())],
        filer={"filed_by_subject": True},
    )
    audit_record(
        actor=None,
        tag=AuditTag.DISPUTE_FILED,
        target=dispute,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.DATA_SUBJECT_RIGHTS,
        details={"reports": len(reports), "due": dispute.response_due.isoformat(), "filer": "subject"},
        request_id=request_id,
    )
    return dispute_invariant_check(dispute)


def _refuse_second_live_dispute(*, reports: list[Report], actor: Actor) -> None:
    live = (
        DisputedReport.objects.filter(
            report__in=reports, filed_by=actor.organisation, state__in=LIVE_COVERAGE_STATES
        )
        .select_related("dispute")
        .first()
    )
    if live:
        audit_record(
            actor=actor,
            tag=AuditTag.DISPUTE_FILED,
            target=live.dispute,
            data_class=DataClass.ADMINISTRATIVE,
            outcome=Outcome.DENIED,
            details={"reason": "a live dispute of these reports exists"},
        )
        raise ConflictError(
            gettext(
                "Your organisation already disputes this seller's reports in dispute %(dispute)s, "
                "which is still open; add to it rather than filing again."
            )
            % {"dispute": live.dispute.public_id},
            fields={"open_dispute": [str(live.dispute.public_id)]},
        )


def dispute_answer(*, dispute: Dispute, note: str, evidence: list[EvidenceFile], actor: Actor) -> Dispute:
    """A reporter shows, for its own covered reports, that a complaint or suit was filed. Not after their due date."""
    _own_coverage_required(dispute=dispute, actor=actor, tag=AuditTag.DISPUTE_ANSWERED)
    lapse = lapse_with_refusal(
        lambda: _rows_lapse(dispute.pk, today=timezone.localdate()),
        actor=actor,
        tag=AuditTag.DISPUTE_ANSWERED,
        target=dispute,
    )
    return refusing_past_deadline(
        _answer, lapse=lapse, dispute=dispute, note=note, evidence=evidence, actor=actor
    )


@transaction.atomic
def _answer(*, dispute: Dispute, note: str, evidence: list[EvidenceFile], actor: Actor) -> Dispute:
    require(actor, Capability.DISPUTE_RESPOND)
    dispute = locks.lock_dispute(dispute.pk)
    rows = _own_open_rows(dispute, actor)
    if not evidence:
        raise DomainError(
            gettext("Attach the filed complaint or suit."),
            fields={"evidence": [gettext("At least one document.")]},
        )
    restricted_store(
        owner_type="dispute",
        owner_id=str(dispute.public_id),
        field=f"answer_note:{actor.organisation.public_id}",
        payload=note.encode(),
    )
    _seal_evidence(dispute, f"answer_evidence:{actor.organisation.public_id}", evidence)
    now = timezone.now()
    DisputedReport.objects.filter(pk__in=[r.pk for r in rows]).update(
        state=CoverageState.ANSWERED, answered_at=now
    )
    dispute.answered_at = dispute.answered_at or now
    _status_settle(dispute)
    _audit(actor, AuditTag.DISPUTE_ANSWERED, dispute, {"reports": len(rows)})
    return dispute_invariant_check(dispute)


def _own_coverage_required(*, dispute: Dispute, actor: Actor, tag: AuditTag) -> None:
    """Only a reporter whose reports the dispute covers answers or pauses it; to anyone else the dispute is
    not there: scoped_get's audited 404, looked up before the write's transaction so that the probe's row
    is not rolled back with the refused write."""
    require(actor, Capability.DISPUTE_RESPOND)
    scoped_get(
        actor=actor,
        queryset=Dispute.objects.filter(covered__report__reporter_organisation=actor.organisation).distinct(),
        public_id=dispute.public_id,
        tag=tag,
        target_type="dispute",
        noun=gettext_noop("dispute"),
    )


def _own_open_rows(dispute: Dispute, actor: Actor) -> list[DisputedReport]:
    """The actor's organisation's covered reports still waiting for its answer, their clocks still running.

    _own_coverage_required, before the transaction, made sure there are some: coverage is never deleted."""
    own = locks.lock_coverage(dispute.covered.filter(report__reporter_organisation=actor.organisation))
    waiting = [row for row in own if row.state == CoverageState.OPEN]
    if not waiting:
        raise ConflictError(
            gettext("Your reports in this dispute are %(state)s; they can no longer be answered.")
            % {"state": status_word(CoverageState, own[0].state)}
        )
    passed = [row for row in waiting if row.response_due < timezone.localdate()]
    if passed:
        raise DeadlinePassed(
            f"The answer was due by {passed[0].response_due:%Y-%m-%d}; the dispute has lapsed and "
            "the disputed reports are suspended."
        )
    return waiting


def dispute_pause(*, dispute: Dispute, working_days: int, reason: str, actor: Actor) -> Dispute:
    """A reporter pauses its clock while a document is notarised or legalised; the total stays within 20 working days.

    Not once its window has ended: a clock cannot be paused after it ran out.
    """
    _own_coverage_required(dispute=dispute, actor=actor, tag=AuditTag.DISPUTE_PAUSED)
    lapse = lapse_with_refusal(
        lambda: _rows_lapse(dispute.pk, today=timezone.localdate()),
        actor=actor,
        tag=AuditTag.DISPUTE_PAUSED,
        target=dispute,
    )
    return refusing_past_deadline(
        _pause, lapse=lapse, dispute=dispute, working_days=working_days, reason=reason, actor=actor
    )


@transaction.atomic
def _pause(*, dispute: Dispute, working_days: int, reason: str, actor: Actor) -> Dispute:
    require(actor, Capability.DISPUTE_RESPOND)
    dispute = locks.lock_dispute(dispute.pk)
    rows = _own_open_rows(dispute, actor)
    room = min(settings.HUB_DISPUTE_MAX_WORKING_DAYS - row.working_days for row in rows)
    if working_days > room:
        raise DomainError(
            gettext("The clock never runs longer than 20 working days in all."),
            fields={
                "working_days": [
                    ngettext(
                        "At most %(count)d more working day.", "At most %(count)d more working days.", room
                    )
                    % {"count": room}
                ]
            },
        )
    for row in rows:
        row.working_days += working_days
        row.paused_working_days += working_days
        row.pause_reason = "\n".join(filter(None, [row.pause_reason, reason]))
        row.response_due = add_working_days(timezone.localdate(dispute.filed_at), row.working_days)
        row.save(update_fields=["working_days", "paused_working_days", "pause_reason", "response_due"])
    _audit(
        actor,
        AuditTag.DISPUTE_PAUSED,
        dispute,
        {"reports": len(rows), "working_days": working_days, "due": rows[0].response_due.isoformat()},
    )
    return dispute_invariant_check(dispute)


def dispute_decide(*, dispute: Dispute, upheld: bool, reason: str, actor: Actor) -> Dispute:
    """An operator decides: the reports stand (upheld) or were unfounded (overturned).

    Not while a reporter's window runs and it has not answered: that is the urgent decision.
    """
    return _decide(dispute=dispute, upheld=upheld, reason=reason, actor=actor, urgent=False)


def dispute_decide_urgently(*, dispute: Dispute, upheld: bool, reason: str, actor: Actor) -> Dispute:
    """An operator decides before every reporter's window ends, for a stated urgent reason; audited as such."""
    return _decide(dispute=dispute, upheld=upheld, reason=reason, actor=actor, urgent=True)


@transaction.atomic
def _decide(*, dispute: Dispute, upheld: bool, reason: str, actor: Actor, urgent: bool) -> Dispute:
    require(actor, Capability.DISPUTE_DECIDE)
    dispute = locks.lock_dispute(dispute.pk)
    if dispute.status in (DisputeStatus.UPHELD, DisputeStatus.OVERTURNED):
        raise ConflictError(
            gettext("The dispute was already decided: %(status)s.")
            % {"status": status_word(DisputeStatus, dispute.status)}
        )
    _rows_lapse(dispute.pk, today=timezone.localdate())  # windows that ended meanwhile
    waiting = dispute.covered.filter(state=CoverageState.OPEN).order_by("response_due").first()
    if waiting and not urgent:
        raise ConflictError(
            gettext(
                "A reporter's window runs until %(due)s and it has not answered; "
                "decide after that, or decide urgently with a reason."
            )
            % {"due": f"{waiting.response_due:%Y-%m-%d}"}
        )
    outcome = CoverageState.UPHELD if upheld else CoverageState.OVERTURNED
    rows = locks.lock_coverage(dispute.covered.select_related("report"), by_report=True)
    with watch_changes([row.report for row in rows]):  # one decision is one change for watchers
        for row in rows:
            _report_decide(row, outcome)
    dispute.decided_by, dispute.decided_at, dispute.decision_reason = actor.member, timezone.now(), reason
    _status_settle(dispute)
    for organisation_id in _parties(
        dispute, dispute.reports.values_list("reporter_organisation_id", flat=True)
    ):
        notify(
            organisation_id=organisation_id,
            # Every covered report took the outcome (_report_decide), so it is the dispute's status.
            kind="dispute.upheld" if upheld else "dispute.overturned",
            data={"dispute": str(dispute.public_id), "reason": reason},
        )
    tag = AuditTag.DISPUTE_DECIDED_URGENTLY if urgent else AuditTag.DISPUTE_DECIDED
    _audit(actor, tag, dispute, {"outcome": dispute.status, "reports_unanswered": bool(waiting)})
    _after_decision(dispute)
    return dispute_invariant_check(dispute)


def _report_decide(row: DisputedReport, outcome: CoverageState) -> None:
    report = locks.lock_report_id(row.report_id)
    if report.status == ReportStatus.OVERTURNED:
        # Another organisation's dispute of the same report overturned it already: that decision
        # stands, so this one can only agree (never stay open for ever, never contradict it).
        if outcome != CoverageState.OVERTURNED:
            raise ConflictError(
                gettext(
                    "A covered report was already overturned on another dispute; this dispute can only be "
                    "decided overturned."
                ),
                fields={"outcome": [gettext("Only overturned is possible.")]},
            )
    else:
        report.reinstate() if outcome == CoverageState.UPHELD else report.overturn()
        report.save()
        subjects_relink(report=report)
    row.state = outcome
    row.save(update_fields=["state"])


def _after_decision(dispute: Dispute) -> None:

    # Sorted: the standings are locked one after another, in the locks module's order.
    for organisation_id in sorted(set(dispute.reports.values_list("reporter_organisation_id", flat=True))):
        reputation_refresh(organisation_id=organisation_id)


def disputes_lapse(*, today=None) -> int:
    """Suspend the covered reports left unanswered past their own due date; returns how many disputes changed."""
    today = today or timezone.localdate()
    due = set(
        DisputedReport.objects.filter(state=CoverageState.OPEN, response_due__lt=today).values_list(
            "dispute_id", flat=True
        )
    )
    for dispute_id in sorted(due):
        _rows_lapse(dispute_id, today=today)
    return len(due)


@transaction.atomic
def _rows_lapse(dispute_id: int, *, today) -> None:
    dispute = locks.lock_dispute(dispute_id)
    rows = locks.lock_coverage(dispute.covered.filter(state=CoverageState.OPEN, response_due__lt=today))
    if not rows:
        return  # answered meanwhile, or no window has ended
    locked = locks.lock_reports(row.report_id for row in rows)
    reports = [locked[row.report_id] for row in rows]
    with watch_changes(reports):  # one lapse is one change for watchers
        for row, report in zip(rows, reports):
            if report.status == "accepted":
                report.suspend()
                report.save()
                subjects_relink(report=report)
            row.state = CoverageState.LAPSED
            row.save(update_fields=["state"])
    _status_settle(dispute)
    for organisation_id in _parties(dispute, (report.reporter_organisation_id for report in reports)):
        notify(
            organisation_id=organisation_id,
            kind="dispute.lapsed",
            data={"dispute": str(dispute.public_id)},
        )
    audit_record(
        actor=None,
        tag=AuditTag.DISPUTE_LAPSED,
        target=dispute,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"reports": len(rows)},
    )
    dispute_invariant_check(dispute)


def _parties(dispute: Dispute, reporter_ids) -> set[int]:
    """The organisations told of an outcome: the reporters, and the filer unless the listed person filed."""
    return {org for org in (dispute.filed_by_id, *reporter_ids) if org is not None}


def _status_settle(dispute: Dispute) -> None:
    """The dispute's status is always the one its covered reports' states give."""
    status = status_from_states(set(dispute.covered.values_list("state", flat=True)))
    if status is None:  # refused as dispute_invariant_check refuses it, not as a NULL column
        raise IntegrityError(f"dispute {dispute.pk}: its reports' states contradict each other")
    dispute.status = status
    dispute.save()


def status_from_states(states: set[str]) -> str | None:
    """A dispute's status from its covered reports' states, or None when they contradict each other."""
    for waiting in (CoverageState.OPEN, CoverageState.ANSWERED):
        if waiting in states:
            return (
                None
                if states & {CoverageState.UPHELD, CoverageState.OVERTURNED}
                else DisputeStatus(waiting.value)
            )
    if len(states) == 1:
        return DisputeStatus(states.pop())
    return None


# A covered report's state and the report's own status that contradicts it.
_CONTRADICTING_REPORT_STATUS: dict[str, set[str]] = {
    CoverageState.OVERTURNED: {"accepted", "suspended"},
    CoverageState.UPHELD: {"overturned", "suspended"},
    CoverageState.LAPSED: {"accepted"},
}


def dispute_invariant_check(dispute: Dispute) -> Dispute:
    """Refuse to commit a dispute whose outcome and covered reports' states contradict (call inside its transaction)."""
    rows = list(dispute.covered.select_related("report"))
    expected = status_from_states({row.state for row in rows}) if rows else None
    contradicted = [
        row.pk for row in rows if row.report.status in _CONTRADICTING_REPORT_STATUS.get(row.state, ())
    ]
    if expected is None or expected != dispute.status or contradicted:
        raise IntegrityError(f"dispute {dispute.pk}: status {dispute.status} contradicts its reports' states")
    return dispute


def disputes_visible_to(*, actor: Actor):
    """Operators see every dispute; a platform its own; a reporter those against its reports."""
    disputes = Dispute.objects.prefetch_related("covered__report").order_by("-filed_at", "-id")
    if holds_any(actor, [Capability.DISPUTE_DECIDE]):
        return disputes
    own = disputes.filter(filed_by=actor.organisation) | disputes.filter(
        reports__reporter_organisation=actor.organisation
    )
    return own.distinct()


def dispute_get(*, actor: Actor, public_id) -> Dispute:
    """One dispute the actor is party to, or NotFound; a probe for another's is audited, as for reports."""
    return scoped_get(
        actor=actor,
        queryset=disputes_visible_to(actor=actor),
        public_id=public_id,
        tag=AuditTag.DISPUTE_READ,
        target_type="dispute",
        noun=gettext_noop("dispute"),
    )


def dispute_read(*, actor: Actor, public_id) -> Dispute:
    """One dispute the actor is party to, its read audited."""
    found = dispute_get(actor=actor, public_id=public_id)
    audit_record(actor=actor, tag=AuditTag.DISPUTE_READ, target=found, data_class=DataClass.ADMINISTRATIVE)
    return found


def disputes_page_audit(*, actor: Actor, page: list[Dispute]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.DISPUTE_READ,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="dispute",
        details={"count": len(page)},
    )


def notifications_of(*, actor: Actor):
    return Notification.objects.filter(organisation=actor.organisation)


def notifications_page_audit(*, actor: Actor, page: list[Notification]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.NOTIFICATIONS_READ,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="notification",
        details={"count": len(page)},
    )


def _seal_evidence(dispute: Dispute, prefix: str, evidence: list[EvidenceFile]) -> None:
    for index, item in enumerate(evidence):
        meta = {"name": item.name, "content_type": item.content_type, "size": len(item.content)}
        restricted_store(
            owner_type="dispute",
            owner_id=str(dispute.public_id),
            field=f"{prefix}:{index}:meta",
            payload=json.dumps(meta).encode(),
        )
        restricted_store(
            owner_type="dispute",
            owner_id=str(dispute.public_id),
            field=f"{prefix}:{index}",
            payload=item.content,
        )


def _audit(actor: Actor, tag: AuditTag, dispute: Dispute, details: dict) -> None:
    audit_record(actor=actor, tag=tag, target=dispute, data_class=DataClass.ADMINISTRATIVE, details=details)


def disputes_filed_by_own(*, actor: Actor):
    """The disputes the actor's organisation filed for sellers it hosts, newest first."""
    require(actor, Capability.DISPUTE_FILE)
    return disputes_visible_to(actor=actor).filter(filed_by=actor.organisation)
