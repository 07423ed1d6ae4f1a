"""What happened to one report, in order, and what its reporter may still do with it (for its page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharing.models import Report, ReportAppeal, ReportStatus


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    what: str | Promise
    detail: str = ""


_CLOSED_AS = {
    ReportStatus.RETRACTED: _("Retracted by your organisation"),
    ReportStatus.EXPIRED: _("Expired"),
    ReportStatus.SUSPENDED: _("Suspended: a dispute was not answered in time"),
    ReportStatus.OVERTURNED: _("Overturned: a dispute was upheld against it"),
}


def report_history(report: Report) -> list[HistoryEntry]:
    """The report's events from its own fields, its disputes and its appeal, oldest first."""
    entries = [HistoryEntry(report.submitted_at, _("Submitted"))]
    if report.status == ReportStatus.REJECTED and report.reviewed_at:
        entries.append(HistoryEntry(report.reviewed_at, _("Rejected"), report.review_reason))
    elif report.reviewed_at or report.fast_tracked:
        entries.append(_review_entry(report))
    if report.renewed_at:
        entries.append(HistoryEntry(report.renewed_at, _("Renewed")))
    for row in report.dispute_rows.select_related("dispute"):
        entries.append(HistoryEntry(row.dispute.filed_at, _("Disputed by a platform")))
        if row.answered_at:
            entries.append(HistoryEntry(row.answered_at, _("Dispute answered")))
    appeal = ReportAppeal.objects.filter(report=report).first()
    if appeal:
        entries.append(HistoryEntry(appeal.filed_at, _("Appealed")))
        if appeal.decided_at:
            entries.append(HistoryEntry(appeal.decided_at, _("Appeal decided"), appeal.decision_reason))
    if report.closed_at and report.status in _CLOSED_AS:
        entries.append(HistoryEntry(report.closed_at, _CLOSED_AS[report.status]))
    return sorted(entries, key=lambda entry: entry.at)


def _review_entry(report: Report) -> HistoryEntry:
    if report.fast_tracked:
        return HistoryEntry(
            report.reviewed_at or report.submitted_at, _("Accepted at once (trusted flagger)")
        )
    return HistoryEntry(report.reviewed_at or report.submitted_at, _("Accepted"), report.review_reason)


@dataclass(frozen=True)
class ReportActions:
    renew: bool
    retract: bool
    appeal: bool


def report_actions(report: Report) -> ReportActions:
    """Which of renew, retract and appeal the report's state allows (the services have the last word)."""
    return ReportActions(
        renew=report.status == ReportStatus.ACCEPTED,
        retract=report.status in (ReportStatus.PENDING, ReportStatus.ACCEPTED),
        appeal=report.status == ReportStatus.REJECTED
        and not ReportAppeal.objects.filter(report=report).exists(),
    )
