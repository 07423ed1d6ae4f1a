"""The reporters' clock of a dispute: for each covered report, working days left until its answer is due.

One clock for every page that shows it (the rights owner's, the reviewer's, the disputing platform's),
drawn by templates/_dispute_clock.html."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from sharing.models import CoverageState, Dispute, DisputedReport
from sharing.reports.services.calendar import working_days_between


@dataclass(frozen=True)
class CoverageClock:
    """One covered report's clock."""

    row: DisputedReport
    # Working days after today up to and including the due date; 0 on the due date itself.
    working_days_left: int
    overdue: bool
    # Still waiting for the reporter's answer, and not past its due date.
    open: bool


def coverage_clocks(
    *, dispute: Dispute, organisation_id: int | None = None, today: date | None = None
) -> list[CoverageClock]:
    """The clocks of the reports this dispute covers; with organisation_id, only that reporter's own."""
    today = today or timezone.localdate()
    return [
        CoverageClock(
            row=row,
            working_days_left=working_days_between(today, row.response_due),
            overdue=row.response_due < today,
            open=row.state == CoverageState.OPEN and row.response_due >= today,
        )
        for row in dispute.covered.select_related("report__reporter_organisation")
        if organisation_id is None or row.report.reporter_organisation_id == organisation_id
    ]


def disputes_against(*, organisation_id: int):
    """Disputes that cover the organisation's reports, newest first: the ones it may have to answer."""
    return (
        Dispute.objects.filter(covered__report__reporter_organisation_id=organisation_id)
        .prefetch_related("covered__report")
        .distinct()
        .order_by("-filed_at", "-id")
    )
