"""The retention purge: what no counting report, live dispute, order in progress or legal hold needs
any longer is deleted, in batches, each batch its own transaction; one audit row per run counts it.

Kinds, in the order a run takes them (each later kind is what an earlier one left behind):

- report metadata: a report closed longer than HUB_REPORT_METADATA_RETENTION_DAYS, with its
  report-token links (cascade), its appeal (cascade), any restricted payload left over (the
  restricted purge destroys them sooner), and its rows in decided disputes (a dispute left covering
  nothing goes too, with its sealed submissions);
- parcel events recorded longer than HUB_PARCEL_EVENT_RETENTION_DAYS ago, unless a legal hold keeps
  one of their tokens (their token links go with them);
- tokens that no report and no parcel event names any more (a counting or a retained closed report);
- subjects left with no token. Their SubjectMatch rows go with them (cascade: nothing to act on);
  members' feedback and sales totals requests stay, detached (SET_NULL: records of what was done,
  naming the subject by `subject_ref`); published feed versions stay (the feed is append-only and
  its revocation was published when the subject stopped being listed);
- per-match records (SubjectMatch) older than HUB_SUBJECT_MATCH_RETENTION_DAYS, unless their
  subject's seller is held or has an open sales totals request (its tasks were made from them);
- a listed person's correction requests, with their sealed words, once every report they named is gone;
- a listed person's one-time code challenges (a token and a code hash), a day after they expired:
  a proof lives in the person's session, so a spent or stale challenge serves nothing.

Bulk jobs with their rows and results are deleted by the bulk sweeper when they expire
(HUB_BULK_RETENTION_DAYS, sharing/bulk/services/bulk.py); restricted payloads by
sharing/restricted/services/retention.py. Rerunning is safe: every kind is found again by the same
rule, so a run that stopped halfway resumes where it stopped and a finished one finds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from sharing.disclosure.services.jurisdiction import reports_in_scope
from sharing.locks import lock_coverage, lock_reports, lock_tokens
from sharing.models import (
    DisclosureRequest,
    Dispute,
    DisputedReport,
    IdentifierChallenge,
    IdentifierToken,
    ParcelEvent,
    RectificationRequest,
    Report,
    RestrictedRecord,
    SalesTotalsRequest,
    SalesTotalsStatus,
    Subject,
    SubjectMatch,
)
from sharing.models.disputes import LIVE_COVERAGE_STATES, AppealStatus, DisputeStatus
from sharing.models.reports import CLOSED_STATUSES
from sharing.restricted.services.retention import HOLDING
from sharing.retention.services.holds import held_report_pks, held_token_pks

logger = logging.getLogger(__name__)

# How long an expired one-time code challenge is kept (for the operator looking into a complaint).
CHALLENGE_RETENTION = timedelta(days=1)


@dataclass
class PurgeCounts:
    reports: int = 0
    report_token_links: int = 0
    disputes: int = 0
    tokens: int = 0
    subjects: int = 0
    subject_matches: int = 0
    rectification_requests: int = 0
    identifier_challenges: int = 0
    parcel_events: int = 0


def retention_purge(*, now: datetime | None = None, batch_size: int | None = None) -> PurgeCounts:
    """Delete every kind of record its retention period no longer keeps; log and audit the counts."""
    now = now or timezone.now()
    size = batch_size or settings.HUB_RETENTION_BATCH
    counts = PurgeCounts()
    _in_batches(lambda: _purgeable_reports(now), size, lambda pks: _reports_delete(pks, now, counts))
    _in_batches(lambda: _stale_parcel_events(now), size, lambda pks: _parcel_events_delete(pks, now, counts))
    _in_batches(_purgeable_tokens, size, lambda pks: _tokens_delete(pks, counts))
    _in_batches(_purgeable_subjects, size, lambda pks: _subjects_delete(pks, counts))
    _in_batches(lambda: _stale_matches(now), size, lambda pks: _matches_delete(pks, now, counts))
    _in_batches(_orphan_rectifications, size, lambda pks: _rectifications_delete(pks, counts))
    _in_batches(lambda: _stale_challenges(now), size, lambda pks: _challenges_delete(pks, now, counts))
    logger.info("retention purge: %s", " ".join(f"{kind}={n}" for kind, n in asdict(counts).items()))
    with transaction.atomic():
        audit_record(
            actor=None,
            tag=AuditTag.RETENTION_PURGED,
            data_class=DataClass.ADMINISTRATIVE,
            target_type="retention",
            legal_basis=LegalBasis.OPERATOR_DUTY,
            details=asdict(counts),
        )
    return counts


def _in_batches(candidates, size: int, delete) -> None:
    """Find the first `size` candidates, delete them (the callee re-checks inside its transaction),
    and again until none are left or a batch deleted nothing (what is left is no longer purgeable)."""
    while pks := list(candidates().order_by("pk").values_list("pk", flat=True)[:size]):
        if not delete(pks):
            return


# --- what is purgeable -----------------------------------------------------------------------------


def reports_needed(now: datetime) -> set[int]:
    """Reports something still needs: a hold, a live dispute or pending appeal, an order in progress."""
    disputed = DisputedReport.objects.filter(state__in=LIVE_COVERAGE_STATES).values_list(
        "report_id", flat=True
    )
    live = Dispute.objects.filter(status__in=(DisputeStatus.OPEN, DisputeStatus.ANSWERED))
    in_live = DisputedReport.objects.filter(dispute__in=live).values_list("report_id", flat=True)
    appealed = Report.objects.filter(appeal__status=AppealStatus.OPEN).values_list("pk", flat=True)
    return held_report_pks() | set(disputed) | set(in_live) | set(appealed) | _ordered_report_pks()


def _ordered_report_pks() -> set[int]:
    """Reports an order still in progress reaches: in its scope now, or resolved when it was built."""
    needed: set[int] = set()
    for order in DisclosureRequest.objects.filter(status__in=HOLDING):
        needed.update(report.pk for report in reports_in_scope(order))
        needed.update(
            Report.objects.filter(public_id__in=order.resolved_reports).values_list("pk", flat=True)
        )
    return needed


def _purgeable_reports(now: datetime) -> QuerySet[Report]:
    cutoff = now - timedelta(days=settings.HUB_REPORT_METADATA_RETENTION_DAYS)
    return Report.objects.filter(status__in=CLOSED_STATUSES, closed_at__lt=cutoff).exclude(
        pk__in=reports_needed(now)
    )


def _purgeable_tokens() -> QuerySet[IdentifierToken]:
    """Tokens no report names (every report that named them was purged), no parcel event names (a
    courier's sender identifiers and waybills, until the events' own retention) and no hold keeps."""
    return IdentifierToken.objects.filter(report_links__isnull=True, parcel_events__isnull=True).exclude(
        pk__in=held_token_pks()
    )


def _stale_parcel_events(now: datetime) -> QuerySet[ParcelEvent]:
    cutoff = now - timedelta(days=settings.HUB_PARCEL_EVENT_RETENTION_DAYS)
    held = ParcelEvent.tokens.through.objects.filter(identifiertoken_id__in=held_token_pks())
    return ParcelEvent.objects.filter(recorded_at__lt=cutoff).exclude(pk__in=held.values("parcelevent_id"))


def _purgeable_subjects() -> QuerySet[Subject]:
    """Subjects left with no token, unless an open sales totals request names one (its members'
    tasks were made from the subject's matches, which go with it)."""
    asked = SalesTotalsRequest.objects.filter(status=SalesTotalsStatus.OPEN, subject__isnull=False)
    return Subject.objects.filter(tokens__isnull=True).exclude(pk__in=asked.values("subject_id"))


def _stale_matches(now: datetime) -> QuerySet[SubjectMatch]:
    cutoff = now - timedelta(days=settings.HUB_SUBJECT_MATCH_RETENTION_DAYS)
    asked = SalesTotalsRequest.objects.filter(status=SalesTotalsStatus.OPEN, subject__isnull=False)
    held = Subject.objects.filter(tokens__pk__in=held_token_pks())
    return (
        SubjectMatch.objects.filter(matched_at__lt=cutoff)
        .exclude(subject_id__in=asked.values("subject_id"))
        .exclude(subject_id__in=held.values("pk"))
    )


def _orphan_rectifications() -> QuerySet[RectificationRequest]:
    return RectificationRequest.objects.filter(reports__isnull=True)


def _stale_challenges(now: datetime) -> QuerySet[IdentifierChallenge]:
    return IdentifierChallenge.objects.filter(expires_at__lt=now - CHALLENGE_RETENTION)


# --- one batch, one transaction --------------------------------------------------------------------


@transaction.atomic
def _reports_delete(pks: list[int], now: datetime, counts: PurgeCounts) -> int:
    # Coverage rows before reports (the global order of sharing/locks.py); a report changed meanwhile
    # (appealed, held, disputed) is no longer found below.
    lock_coverage(DisputedReport.objects.filter(report_id__in=pks), by_report=True)
    lock_reports(pks)
    reports = list(_purgeable_reports(now).filter(pk__in=pks))
    if not reports:
        return 0
    public_ids = [str(report.public_id) for report in reports]
    RestrictedRecord.objects.filter(owner_type="report", owner_id__in=public_ids).delete()
    disputes = set(DisputedReport.objects.filter(report__in=reports).values_list("dispute_id", flat=True))
    DisputedReport.objects.filter(report__in=reports).delete()
    emptied = Dispute.objects.filter(pk__in=disputes, covered__isnull=True)
    emptied_ids = [str(public_id) for public_id in emptied.values_list("public_id", flat=True)]
    RestrictedRecord.objects.filter(owner_type="dispute", owner_id__in=emptied_ids).delete()
    counts.disputes += emptied.delete()[1].get("sharing.Dispute", 0)
    deleted = Report.objects.filter(pk__in=[report.pk for report in reports]).delete()[1]
    counts.reports += deleted.get("sharing.Report", 0)
    counts.report_token_links += deleted.get("sharing.ReportIdentifier", 0)
    return len(reports)


@transaction.atomic
def _tokens_delete(pks: list[int], counts: PurgeCounts) -> int:
    lock_tokens(pks)  # a report naming one of them meanwhile keeps it (found again below)
    deleted = IdentifierToken.objects.filter(pk__in=_purgeable_tokens().filter(pk__in=pks).values("pk"))
    n = deleted.delete()[1].get("sharing.IdentifierToken", 0)
    counts.tokens += n
    return n


@transaction.atomic
def _subjects_delete(pks: list[int], counts: PurgeCounts) -> int:
    deleted = Subject.objects.filter(pk__in=_purgeable_subjects().filter(pk__in=pks).values("pk")).delete()[1]
    counts.subjects += deleted.get("sharing.Subject", 0)
    counts.subject_matches += deleted.get("sharing.SubjectMatch", 0)
    return deleted.get("sharing.Subject", 0)


@transaction.atomic
def _matches_delete(pks: list[int], now: datetime, counts: PurgeCounts) -> int:
    n = SubjectMatch.objects.filter(pk__in=_stale_matches(now).filter(pk__in=pks).values("pk")).delete()[0]
    counts.subject_matches += n
    return n


@transaction.atomic
def _parcel_events_delete(pks: list[int], now: datetime, counts: PurgeCounts) -> int:
    stale = _stale_parcel_events(now).filter(pk__in=pks)
    n = ParcelEvent.objects.filter(pk__in=stale.values("pk")).delete()[1].get("sharing.ParcelEvent", 0)
    counts.parcel_events += n
    return n


@transaction.atomic
def _challenges_delete(pks: list[int], now: datetime, counts: PurgeCounts) -> int:
    stale = _stale_challenges(now).filter(pk__in=pks)
    n = IdentifierChallenge.objects.filter(pk__in=stale.values("pk")).delete()[0]
    counts.identifier_challenges += n
    return n


@transaction.atomic
def _rectifications_delete(pks: list[int], counts: PurgeCounts) -> int:
    orphans = list(_orphan_rectifications().filter(pk__in=pks).values_list("pk", "public_id"))
    if not orphans:
        return 0
    RestrictedRecord.objects.filter(
        owner_type="rectification", owner_id__in=[str(public_id) for _, public_id in orphans]
    ).delete()
    n = (
        RectificationRequest.objects.filter(pk__in=[pk for pk, _ in orphans])
        .delete()[1]
        .get("sharing.RectificationRequest", 0)
    )
    counts.rectification_requests += n
    return n
