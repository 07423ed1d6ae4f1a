"""A reporter's dispute clock in words for its page: working days left until its answer is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from sharing.models import CoverageState, Dispute, DisputedReport
from sharing.reports.services.calendar import working_days_between


@dataclass(frozen=True)
class OwnClock:
    row: DisputedReport
    # Working days after today up to and including the due date; 0 on the due date itself.
    working_days_left: int
    overdue: bool
    open: bool


def own_clocks(*, dispute: Dispute, organisation_id: int, today: date | None = None) -> list[OwnClock]:
    """The clocks of the organisation's own reports this dispute covers (never another reporter's)."""
    today = today or timezone.localdate()
    return [
        OwnClock(
            row=row,
            working_days_left=working_days_between(today, row.response_due),
            overdue=row.response_due < today,
            open=row.state == CoverageState.OPEN and row.response_due >= today,
        )
        for row in dispute.covered.all()
        if row.report.reporter_organisation_id == organisation_id
    ]


def disputes_against(*, organisation_id: int):
    """Disputes that cover the organisation's reports, newest first: the ones it may have to answer."""
    return (
        Dispute.objects.filter(covered__report__reporter_organisation_id=organisation_id)
        .prefetch_related("covered__report")
        .distinct()
        .order_by("-filed_at", "-id")
    )
