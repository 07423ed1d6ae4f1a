"""The figures of the public transparency report, quarter by quarter, and the operators' per-member
indicators.

Every count goes through the outcome pages' suppression (sharing/outcomes/selectors.py): a count of
what members did is shown only when at least HUB_OUTCOME_SUPPRESSION_THRESHOLD distinct
organisations are behind it; a count of what the hub did (alerts, disclosure orders) only when it
is itself at least the threshold. Nothing here reads a name, an identifier or a case's details.

Where the figures come from: checks and bulk rows from their audit rows (sharing:check:run one per
check, sharing:bulk:submitted with its row count), reporters' suspensions from the reputation audit
rows that set one, reports, disputes, disclosure orders and alerts from their own tables.
"""

from __future__ import annotations

import statistics as stats
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min, QuerySet
from django.utils import timezone

from accounts.audit.models import Alert, AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.models import Organisation
from hubcore.transparency import PERIOD
from sharing.checks.services.suppression import suppressed_by_organisations
from sharing.models import (
    Category,
    DisclosureRequest,
    DisclosureScopeChange,
    DisclosureStatus,
    Dispute,
    DisputeStatus,
    FeedbackOutcome,
    HitFeedback,
    Report,
    ReportStatus,
    SubjectMatch,
    TransparencyReport,
    VerificationLevel,
)
from sharing.outcomes.selectors import SuppressedCount, suppressed

DISPUTE_OUTCOMES = (DisputeStatus.UPHELD, DisputeStatus.OVERTURNED, DisputeStatus.LAPSED)
DISCLOSURE_MEASURES = ("received", "approved", "narrowed", "refused")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime(self.year, 3 * self.number - 2, 1))

    @property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def quarter_of(moment: datetime) -> Quarter:
    local = timezone.localtime(moment)
    return Quarter(local.year, (local.month - 1) // 3 + 1)


def quarter_parse(text: str) -> Quarter | None:
    """ "2026-Q3" as a quarter; None when it is not one."""
    found = PERIOD.fullmatch(text)
    # A quarter's end is the next quarter's start: year 9999's last quarter would end past datetime's range.
    if not found or not 1 <= int(found["year"]) <= 9998:
        return None
    return Quarter(int(found["year"]), int(found["quarter"]))


def published_reports() -> QuerySet[TransparencyReport]:
    """Every published quarter, newest first (public: the same for everyone)."""
    return TransparencyReport.objects.only("period", "published_at").order_by("-starts_at")


def published_report(period: str) -> TransparencyReport | None:
    """The published report of a period ("2026-Q3"); None for a malformed or unpublished one."""
    if quarter_parse(period) is None:
        return None
    return TransparencyReport.objects.filter(period=period).first()


@dataclass(frozen=True)
class QuarterFigures:
    quarter: Quarter
    threshold: int
    checks: SuppressedCount
    bulk_rows: SuppressedCount
    reports_filed: SuppressedCount
    reports_by_category: dict[str, SuppressedCount]
    reports_by_level: dict[str, SuppressedCount]
    accepted: SuppressedCount
    rejected: SuppressedCount
    median_review_hours: float | None  # None: nothing reviewed, or too few reporters behind it
    disputes_filed: SuppressedCount
    dispute_outcomes: dict[str, SuppressedCount]
    reporter_suspensions: SuppressedCount
    disclosure_orders: dict[str, SuppressedCount]
    alerts_raised: SuppressedCount


def _audit_rows(tag: AuditTag, quarter: Quarter):
    return AuditEvent.objects.filter(
        action=tag, outcome=Outcome.ALLOWED, occurred_at__gte=quarter.start, occurred_at__lt=quarter.end
    )


def _screening(quarter: Quarter) -> tuple[SuppressedCount, SuppressedCount]:
    checks = list(_audit_rows(AuditTag.CHECK_RUN, quarter).values_list("organisation_id", flat=True))
    bulk = list(_audit_rows(AuditTag.BULK_SUBMITTED, quarter).values_list("organisation_id", "details"))
    return (
        suppressed(len(checks), organisations=len(set(checks))),
        suppressed(
            sum(int(details.get("rows", 0)) for _, details in bulk),
            organisations=len({organisation for organisation, _ in bulk}),
        ),
    )


def _reports(quarter: Quarter) -> dict:
    filed = list(
        Report.objects.filter(submitted_at__gte=quarter.start, submitted_at__lt=quarter.end).values_list(
            "category", "verification_level", "reporter_organisation_id"
        )
    )
    reviewed = list(
        Report.objects.filter(reviewed_at__gte=quarter.start, reviewed_at__lt=quarter.end)
        .exclude(status=ReportStatus.PENDING)
        .values_list("status", "reporter_organisation_id", "submitted_at", "reviewed_at")
    )
    # A report reviewed then expired, suspended or overturned was accepted in its review.
    decided = [
        ("rejected" if status == ReportStatus.REJECTED else "accepted", organisation)
        for status, organisation, _, _ in reviewed
    ]
    waits = [
        (done - filed_at).total_seconds() / 3600 for _, _, filed_at, done in reviewed if done is not None
    ]
    reviewers_behind = suppressed(len(reviewed), organisations=len({row[1] for row in reviewed}))
    return {
        "reports_filed": suppressed(len(filed), organisations=len({row[2] for row in filed})),
        "reports_by_category": suppressed_by_organisations(
            [(c, o) for c, _, o in filed], Category.values, of_a_published_total=True
        ),
        "reports_by_level": suppressed_by_organisations(
            [(v, o) for _, v, o in filed], VerificationLevel.values, of_a_published_total=True
        ),
        **suppressed_by_organisations(decided, ["accepted", "rejected"]),
        "median_review_hours": (
            round(stats.median(waits), 1) if waits and not reviewers_behind.suppressed else None
        ),
    }


def _disputes(quarter: Quarter) -> dict:
    filed = list(
        Dispute.objects.filter(filed_at__gte=quarter.start, filed_at__lt=quarter.end).values_list(
            "filed_by_id", flat=True
        )
    )
    decided = list(
        Dispute.objects.filter(
            decided_at__gte=quarter.start, decided_at__lt=quarter.end, status__in=DISPUTE_OUTCOMES
        ).values_list("status", "filed_by_id")
    )
    return {
        "disputes_filed": suppressed(len(filed), organisations=len(set(filed))),
        "dispute_outcomes": suppressed_by_organisations(decided, [str(s) for s in DISPUTE_OUTCOMES]),
    }


def _disclosure_orders(quarter: Quarter) -> dict[str, SuppressedCount]:
    """Orders received, approved, narrowed and refused in the quarter: counts, never a case."""
    within = {"gte": quarter.start, "lt": quarter.end}
    orders = DisclosureRequest.objects
    narrowed = DisclosureScopeChange.objects.filter(
        changed_at__gte=within["gte"], changed_at__lt=within["lt"]
    )
    # (order, court) per measure: an order counts once, and is shown only when enough courts are behind it.
    measures = {
        "received": orders.filter(submitted_at__gte=within["gte"], submitted_at__lt=within["lt"]),
        "approved": orders.filter(approved_at__gte=within["gte"], approved_at__lt=within["lt"]),
        "narrowed": orders.filter(pk__in=narrowed.values("request_id")),
        "refused": orders.filter(
            status=DisclosureStatus.REJECTED, closed_at__gte=within["gte"], closed_at__lt=within["lt"]
        ),
    }
    counted = {measure: list(rows.values_list("court_id", flat=True)) for measure, rows in measures.items()}
    return {
        measure: suppressed(len(counted[measure]), organisations=len(set(counted[measure])))
        for measure in DISCLOSURE_MEASURES
    }


def _reporter_suspensions(quarter: Quarter) -> SuppressedCount:
    """Suspensions of reporting in the quarter, shown only when enough organisations were suspended."""
    rows = _audit_rows(AuditTag.REPUTATION_CHANGED, quarter).values_list("object_id", "details")
    suspended = [organisation for organisation, details in rows if details.get("reporting_suspended_until")]
    return suppressed(len(suspended), organisations=len(set(suspended)))


def quarter_figures(quarter: Quarter) -> QuarterFigures:
    """The quarter's figures as the public report shows them (suppressed counts withheld)."""
    checks, bulk_rows = _screening(quarter)
    alerts = Alert.objects.filter(raised_at__gte=quarter.start, raised_at__lt=quarter.end).count()
    return QuarterFigures(
        quarter=quarter,
        threshold=checks.threshold,
        checks=checks,
        bulk_rows=bulk_rows,
        **_reports(quarter),
        **_disputes(quarter),
        reporter_suspensions=_reporter_suspensions(quarter),
        disclosure_orders=_disclosure_orders(quarter),
        alerts_raised=suppressed(alerts),
    )


# --- Per-member indicators (operators only) ----------------------------------------------------


@dataclass(frozen=True)
class MemberIndicators:
    """How one screening member followed up its hits of the quarter (the subjects it matched then)."""

    organisation: Organisation
    hits: int
    acted: int
    false_positives: int
    median_hours_to_act: float | None

    @property
    def acted_share(self) -> float | None:
        return self.acted / self.hits if self.hits else None

    @property
    def false_positive_rate(self) -> float | None:
        return self.false_positives / self.hits if self.hits else None


def member_indicators(quarter: Quarter) -> list[MemberIndicators]:
    """Per organisation that matched subjects in the quarter: its hits (distinct subjects), how many it
    acted on or called false positives (its feedback on them, any time after), and the median hours
    from a subject's first match in the quarter to its first "acted" feedback."""
    first_match = {
        (organisation, subject): at
        for organisation, subject, at in SubjectMatch.objects.filter(
            matched_at__gte=quarter.start, matched_at__lt=quarter.end
        )
        .values("organisation_id", "subject_id")
        .annotate(first=Min("matched_at"))
        .values_list("organisation_id", "subject_id", "first")
    }
    feedback = HitFeedback.objects.filter(
        organisation_id__in={organisation for organisation, _ in first_match},
        subject_id__in={subject for _, subject in first_match},
    ).order_by("created_at", "pk")
    first_outcome: dict[tuple[int, int], tuple[str, datetime]] = {}
    for organisation, subject, outcome, at in feedback.values_list(
        "organisation_id", "subject_id", "outcome", "created_at"
    ):
        key = (organisation, subject)
        if key in first_match and at >= first_match[key] and key not in first_outcome:
            first_outcome[key] = (outcome, at)
    return _indicators_rows(first_match, first_outcome)


def _indicators_rows(
    first_match: dict[tuple[int, int], datetime], first_outcome: dict[tuple[int, int], tuple[str, datetime]]
) -> list[MemberIndicators]:
    per_organisation: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key in first_match:
        per_organisation[key[0]].append(key)
    organisations = Organisation.objects.in_bulk(list(per_organisation))
    rows = []
    for organisation_id, keys in per_organisation.items():
        outcomes = [first_outcome[key] for key in keys if key in first_outcome]
        waits = [
            (first_outcome[key][1] - first_match[key]).total_seconds() / 3600
            for key in keys
            if key in first_outcome and first_outcome[key][0] == FeedbackOutcome.ACTED
        ]
        rows.append(
            MemberIndicators(
                organisation=organisations[organisation_id],
                hits=len(keys),
                acted=sum(1 for outcome, _ in outcomes if outcome == FeedbackOutcome.ACTED),
                false_positives=sum(
                    1 for outcome, _ in outcomes if outcome == FeedbackOutcome.FALSE_POSITIVE
                ),
                median_hours_to_act=round(stats.median(waits), 1) if waits else None,
            )
        )
    return sorted(rows, key=lambda row: (-row.hits, row.organisation.pk))
