"""Urgent live-room reports (issue 19): live streams are scheduled at night and their harm is done within
hours, so a report naming a live-stream room may be flagged urgent with a reason from a closed list.

The review target is set at filing: HUB_URGENT_REVIEW_TARGET_MINUTES after it, or the start of the live
stream the reporter gives if that is sooner (and still ahead); a stream already running or without a
start gives the full period. Urgent reports head the review queue by target (selectors.py) until
HUB_URGENT_PRIORITY_HOURS after it (the stream is over; then they wait like any other report); a pending
one past its target raises one operator alert ("urgent_review_overdue", high), naming the report by its
public id only, never an identifier value, resolved by the system once the report is decided.

Jumping the queue is bounded: an organisation under a misuse warning cannot file urgent, and one
files at most HUB_URGENT_REPORTS_PER_DAY urgent reports a day (429 past it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.alerts import alert_resolve_by_key
from accounts.audit.services import alert_raise
from accounts.quotas import Limit, QuotaExceeded, quota_consume
from hub.errors import DomainError, TooManyRequestsError
from hubcore.identifiers.types import IdentifierType
from sharing.locks import lock_report_id
from sharing.models import Report, ReporterStanding, ReportStatus, UrgencyReason

ALERT_KIND = "urgent_review_overdue"
# How far ahead a scheduled stream may be given: "scheduled within 24 hours", with a day's slack.
LIVE_START_HORIZON = timedelta(hours=48)
# A scheduled stream's start is ahead; a few minutes behind is a slow typist or a clock, not a past start.
LIVE_START_TOLERANCE = timedelta(minutes=10)


class UrgentReportsExceeded(TooManyRequestsError):
    """The organisation has filed its urgent reports for the day (report_submit audits the refusal)."""


@dataclass(frozen=True)
class Urgency:
    reason: str
    live_starts_at: datetime | None = None


def urgency_check(urgency: Urgency | None, identifier_types: set[str]) -> None:
    """Refuse an urgency the report cannot carry: only a report naming a live-stream room may be urgent."""
    if urgency is None:
        return
    if IdentifierType.LIVE_ROOM not in identifier_types:
        raise DomainError(
            gettext("Only a report that names a live-stream room can be urgent."),
            fields={"urgent": [gettext("Only a report that names a live-stream room can be urgent.")]},
        )
    if urgency.reason not in UrgencyReason.values:
        raise DomainError(
            gettext("Choose why the report is urgent."),
            fields={"urgency_reason": [gettext("Choose why the report is urgent.")]},
        )


def urgency_allowed(urgency: Urgency | None, *, actor: Actor, standing: ReporterStanding) -> None:
    """Refuse urgency to an organisation under a misuse warning, and past its daily number of urgent
    reports (taken from its quota in the caller's transaction, so a refused report gives it back)."""
    if urgency is None:
        return
    if standing.misuse_warning_until and standing.misuse_warning_until > timezone.now():
        message = gettext(
            "Your organisation is under a misuse warning until %(until)s: file the report without urgency."
        ) % {"until": f"{standing.misuse_warning_until:%Y-%m-%d}"}
        raise DomainError(message, fields={"urgent": [message]})
    limit = Limit(bucket="urgent_report", window="day", limit=settings.HUB_URGENT_REPORTS_PER_DAY)
    try:
        quota_consume(organisation=actor.organisation, demands={limit: 1})
    except QuotaExceeded as exc:
        message = gettext(
            "Your organisation has filed its %(limit)s urgent reports for today: "
            "file this one without urgency, or as urgent tomorrow."
        ) % {"limit": settings.HUB_URGENT_REPORTS_PER_DAY}
        refused = UrgentReportsExceeded(message, fields={"urgent": [message]})
        refused.retry_after = exc.retry_after
        raise refused from None


def review_target(*, filed_at: datetime, live_starts_at: datetime | None) -> datetime:
    """The time by which an urgent report should be reviewed (see the module's docstring)."""
    target = filed_at + timedelta(minutes=settings.HUB_URGENT_REVIEW_TARGET_MINUTES)
    if live_starts_at and filed_at < live_starts_at < target:
        return live_starts_at
    return target


def urgency_apply(report: Report, urgency: Urgency | None) -> None:
    """Set the report's urgency fields (unsaved) from what the reporter gave."""
    if urgency is None:
        return
    report.live_urgent = True
    report.urgency_reason = urgency.reason
    report.live_starts_at = urgency.live_starts_at
    report.review_target_at = review_target(
        filed_at=report.submitted_at, live_starts_at=urgency.live_starts_at
    )


def urgent_reviews_overdue(*, now: datetime | None = None) -> int:
    """Raise one alert per pending urgent report past its target, not alerted yet; returns how many."""
    now = now or timezone.now()
    due = list(
        Report.objects.filter(
            status=ReportStatus.PENDING,
            live_urgent=True,
            review_target_at__lte=now,
            target_missed_alerted_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    return sum(_overdue_alert(report_id=report_id, now=now) for report_id in due)


def overdue_alert_resolve(report: Report) -> None:
    """Once an urgent report is decided or retracted, its overdue alert (if raised) is over: resolved by
    the system in the caller's transaction, with its audit row."""
    if report.live_urgent and report.target_missed_alerted_at is not None:
        alert_resolve_by_key(
            dedupe_key=_alert_key(report), reason=f"report {report.status}: the urgent review is over"
        )


def _alert_key(report: Report) -> str:
    return f"{ALERT_KIND}:{report.public_id}"


@transaction.atomic
def _overdue_alert(*, report_id: int, now: datetime) -> bool:
    report = lock_report_id(report_id)
    # Decided or alerted meanwhile: nothing to do, and running twice is harmless.
    if report.status != ReportStatus.PENDING or report.target_missed_alerted_at is not None:
        return False
    alert_raise(
        kind=ALERT_KIND,
        organisation=None,
        severity="high",
        dedupe_key=_alert_key(report),
        details={
            "report": str(report.public_id),
            "urgency_reason": report.urgency_reason,
            "review_target_at": report.review_target_at.isoformat() if report.review_target_at else "",
        },
    )
    report.target_missed_alerted_at = now
    report.save(update_fields=["target_missed_alerted_at"])
    return True
