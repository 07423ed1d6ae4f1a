"""Enforcement statistics of one rights owner, period by period (a month by default): reports filed
and accepted, the median time to acceptance, hits (other members' checks, bulk screenings and
watches that matched its reported subjects, each recorded once), members' actions (the feedback
selector) and reappearances (accounts linked to its subjects after it reported them).

Counts of members' behaviour (hits, actions) follow the outcome pages' suppression: a period's
hits are shown only when at least the threshold of distinct organisations checked.
"""

from __future__ import annotations

import statistics as stats
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.purposes import Purpose
from accounts.roles import Capability
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_for_actor
from hubcore.csv_safe import csv_document
from sharing.checks.services.suppression import suppressed_by_organisations
from sharing.models import Report, ReportStatus
from sharing.outcomes.selectors import (
    SuppressedCount,
    accounts_linked_since,
    checks_of_subjects,
    first_accepted_of,
    owner_subjects,
    subject_feedback_counts,
    suppressed,
)

DEFAULT_PERIODS = 6
MAX_PERIODS = 24


class Period(TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


@dataclass(frozen=True)
class PeriodStatistics:
    start: datetime
    end: datetime  # exclusive
    filed: int
    accepted: int
    median_acceptance_hours: float | None  # None: nothing accepted in the period
    hits: SuppressedCount
    # The hits by the purpose their screening stated (accounts/purposes.py), each suppressed by the
    # organisations behind it, with complementary suppression beside a shown total; every purpose of the
    # closed list, in its order, so periods line up ("" rows are left out).
    hits_by_purpose: dict[str, SuppressedCount]
    actions: SuppressedCount
    reappearances: int


@dataclass(frozen=True)
class EnforcementStatistics:
    period: str
    periods: list[PeriodStatistics]


def period_starts(period: str, count: int, *, now: datetime) -> list[datetime]:
    """The starts of the `count` periods ending with the one holding `now`, oldest first, plus the
    end of the last (so count + 1 instants), at local midnight."""
    local = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == Period.WEEK:
        first = local - timedelta(days=local.weekday())
        starts = [first - timedelta(weeks=n) for n in range(count - 1, -2, -1)]
        return [timezone.make_aware(s.replace(tzinfo=None)) for s in starts]
    step_months = 12 if period == Period.YEAR else 1
    base = local.replace(day=1, month=1) if period == Period.YEAR else local.replace(day=1)
    starts = []
    for n in range(count - 1, -2, -1):
        months = base.year * 12 + base.month - 1 - n * step_months
        starts.append(timezone.make_aware(datetime(months // 12, months % 12 + 1, 1)))
    return starts


def enforcement_statistics(
    *, actor: Actor, period: str = Period.MONTH, count: int = DEFAULT_PERIODS, now: datetime | None = None
) -> EnforcementStatistics:
    """The organisation's statistics for the `count` periods up to now, oldest first."""
    require(actor, Capability.REPORT_READ)
    now = now or timezone.now()
    edges = period_starts(period, count, now=now)
    reports = Report.objects.filter(reporter_organisation=actor.organisation)
    submitted = list(reports.filter(submitted_at__gte=edges[0]).values_list("submitted_at", flat=True))
    accepted = [
        (filed, done)
        for filed, done in reports.filter(reviewed_at__gte=edges[0])
        .exclude(status__in=(ReportStatus.PENDING, ReportStatus.REJECTED))
        .values_list("submitted_at", "reviewed_at")
        if done is not None
    ]
    subjects = list(owner_subjects(actor=actor).only("pk", "public_id"))
    first_accepted = {s.pk: first_accepted_of(s) for s in subjects}
    checks = checks_of_subjects(
        {pk: max(accepted_at, edges[0]) for pk, accepted_at in first_accepted.items()}, actor=actor, until=now
    )
    check_rows = [row for counts in checks.values() for row in counts.checks]
    linked = [
        at for rows in accounts_linked_since(first_accepted, actor=actor, now=now).values() for _, at in rows
    ]
    rows = []
    for start, end in zip(edges, edges[1:], strict=False):
        waits = [(done - filed).total_seconds() / 3600 for filed, done in accepted if start <= done < end]
        checks_in = [org for org, at, _ in check_rows if start <= at < end]
        by_purpose = [(stated, org) for org, at, stated in check_rows if start <= at < end]
        feedback = subject_feedback_counts(first_accepted, between=(start, end)).values()
        acting = [f.acted_by for f in feedback]
        hits = suppressed(len(checks_in), organisations=len(set(checks_in)))
        rows.append(
            PeriodStatistics(
                start=start,
                end=end,
                filed=sum(1 for at in submitted if start <= at < end),
                accepted=len(waits),
                median_acceptance_hours=round(stats.median(waits), 1) if waits else None,
                hits=hits,
                # Each purpose's cell by the organisations behind it; beside a shown total, a hidden
                # cell takes the next smallest with it so no one's is had by subtraction.
                hits_by_purpose=suppressed_by_organisations(
                    by_purpose, Purpose.values, of_a_published_total=not hits.suppressed
                ),
                # Shown only when enough distinct organisations acted: one member acting on three
                # sellers is three actions, and still one member's behaviour.
                actions=suppressed(
                    sum(len(by) for by in acting), organisations=len(frozenset().union(*acting))
                ),
                reappearances=sum(1 for at in linked if start <= at < end),
            )
        )
    return EnforcementStatistics(period=period, periods=rows)


def statistics_audit(*, actor: Actor, figures: EnforcementStatistics, downloaded: bool = False) -> None:
    """Audit a read (or the CSV download) of the organisation's own statistics: the range, no figures."""
    transfer_for_actor(actor=actor, channel=TransferChannel.OUTCOMES, target_type="statistics")
    audit_record(
        actor=actor,
        tag=AuditTag.STATISTICS_DOWNLOADED if downloaded else AuditTag.STATISTICS_READ,
        data_class=DataClass.SHAREABLE,
        target_type="statistics",
        legal_basis=LegalBasis.MEMBERSHIP_TERMS,
        details={
            "period": figures.period,
            "periods": len(figures.periods),
            "from": figures.periods[0].start.isoformat() if figures.periods else "",
        },
    )


CSV_HEADER = [
    "period_start",
    "period_end",
    "reports_filed",
    "reports_accepted",
    "median_acceptance_hours",
    "hits",
    *(f"hits_{purpose}" for purpose in Purpose.values),
    "member_actions",
    "reappearances",
]


def statistics_csv(figures: EnforcementStatistics) -> str:
    """The statistics as CSV (hubcore/csv_safe.py: quoted, formula-safe), one line per period;
    suppressed counts read "<3"."""
    return csv_document(
        CSV_HEADER,
        (
            [
                row.start.date().isoformat(),
                row.end.date().isoformat(),
                row.filed,
                row.accepted,
                "" if row.median_acceptance_hours is None else row.median_acceptance_hours,
                row.hits.as_csv(),
                *(row.hits_by_purpose[purpose].as_csv() for purpose in Purpose.values),
                row.actions.as_csv(),
                row.reappearances,
            ]
            for row in figures.periods
        ),
    )
