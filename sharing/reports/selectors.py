"""Reads of reports, scoped so that another organisation's object is simply not there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from accounts.scoped import scoped_get
from sharing.checks.services.risk import OFFICIAL
from sharing.models import Report, ReportAppeal, ReportStatus


def reports_of_organisation(*, actor: Actor) -> QuerySet[Report]:
    """The actor's own organisation's reports, newest first."""
    return (
        Report.objects.filter(reporter_organisation=actor.organisation)
        .prefetch_related("identifiers__token")
        .order_by("-submitted_at", "-id")
    )


def reports_for_review(*, actor: Actor) -> QuerySet[Report]:
    """Every organisation's reports, metadata only, for operator reviewers."""
    require(actor, Capability.REPORT_REVIEW)
    return (
        Report.objects.select_related("reporter_organisation")
        .prefetch_related("identifiers__token")
        .order_by("submitted_at", "id")
    )


def urgent_on_top(now: datetime | None = None) -> Q:
    """The pending urgent live-room reports that head the queue: their target passed at most
    HUB_URGENT_PRIORITY_HOURS ago (later the stream is over, and they wait like any other report)."""
    stale_before = (now or timezone.now()) - timedelta(hours=settings.HUB_URGENT_PRIORITY_HOURS)
    return Q(status=ReportStatus.PENDING, live_urgent=True, review_target_at__gte=stale_before)


def _urgent_first(now: datetime | None = None) -> list:
    """Order keys: the urgent reports on top, soonest target first; the target orders no other report."""
    on_top = urgent_on_top(now)
    return [
        Case(When(on_top, then=Value(0)), default=Value(1)),
        Case(When(on_top, then=F("review_target_at")), default=Value(None), output_field=DateTimeField()).asc(
            nulls_last=True
        ),
    ]


def reports_for_review_listed(*, actor: Actor) -> QuerySet[Report]:
    """The review API's list: pending urgent live-room reports first (urgent_on_top), soonest target first;
    then as reports_for_review (the oldest first), whatever their status."""
    return reports_for_review(actor=actor).order_by(*_urgent_first(), "submitted_at", "id")


# Urgent: a trusted flagger's notice (handled with priority, DSA Art. 22) or a report that claims an
# administrative decision or a court judgment, whose seller may be trading on under an official ruling.
URGENT = Q(reporter_organisation__standing__trusted_flagger=True) | Q(verification_level__in=OFFICIAL)


def reports_review_queue(*, actor: Actor) -> QuerySet[Report]:
    """The pending reports for operator reviewers: urgent live-room reports first (urgent_on_top), the
    soonest target first; then the other urgent ones (URGENT); then the oldest."""
    return (
        reports_for_review(actor=actor)
        .filter(status=ReportStatus.PENDING)
        .annotate(
            urgent=Case(When(URGENT, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .order_by(*_urgent_first(), "-urgent", "submitted_at", "id")
    )


def report_get(*, actor: Actor, public_id, for_review: bool = False) -> Report:
    """One report the actor may see, or NotFound (never "forbidden": existence is secret)."""
    scope = reports_for_review(actor=actor) if for_review else reports_of_organisation(actor=actor)
    # Probing for other organisations' reports is worth an auditor's eye: scoped_get audits it.
    return scoped_get(
        actor=actor,
        queryset=scope,
        public_id=public_id,
        tag=AuditTag.REPORT_READ,
        target_type="report",
        noun=gettext_noop("report"),
    )


def report_read(*, actor: Actor, public_id, for_review: bool = False) -> Report:
    """Fetch one report and audit the read; the API view's transaction holds both."""
    report = report_get(actor=actor, public_id=public_id, for_review=for_review)
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_READ,
        target=report,
        data_class=DataClass.SHAREABLE,
        legal_basis=LegalBasis.OPERATOR_DUTY if for_review else LegalBasis.MEMBERSHIP_TERMS,
    )
    return report


def reports_page_audit(*, actor: Actor, page: list[Report], legal_basis: str) -> None:
    """Audit a page of reports shown to the actor (ids only), in the request's transaction."""
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_LISTED,
        data_class=DataClass.SHAREABLE,
        target_type="report",
        legal_basis=legal_basis,
        details={"count": len(page), "ids": [str(r.public_id) for r in page]},
    )


def reports_of_organisation_in(*, actor: Actor, status: str) -> QuerySet[Report]:
    """The organisation's reports in one state ("" for all), newest first; an unknown state lists none."""
    reports = reports_of_organisation(actor=actor)
    if not status:
        return reports
    return reports.filter(status=status) if status in ReportStatus.values else reports.none()


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    what: str | Promise
    detail: str = ""


_CLOSED_AS: dict[str, str | Promise] = {
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
