"""Reads of disputes for the operator reviewers' pages: the queue, and each covered report's clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from accounts.actors import Actor
from accounts.capabilities import require
from accounts.roles import Capability
from sharing.due_process.services.dispute_review import UNDECIDED
from sharing.due_process.services.disputes import disputes_visible_to
from sharing.models import Dispute, RestrictedRecord
from sharing.reports.services.calendar import working_days_between


@dataclass(frozen=True)
class Clock:
    """One covered report's side of a dispute: its reporter's clock and answer (never the answer's text)."""

    report: str
    reporter_kind: str
    state: str
    state_label: str
    response_due: date
    working_days: int
    working_days_left: int
    answered_at: datetime | None
    documents: int


def disputes_review_queue(*, actor: Actor) -> QuerySet[Dispute]:
    """Disputes waiting for an operator's decision, the nearest due date first."""
    require(actor, Capability.DISPUTE_DECIDE)
    return (
        disputes_visible_to(actor=actor)
        .filter(status__in=UNDECIDED)
        .order_by("response_due", "filed_at", "id")
    )


def dispute_clocks(dispute: Dispute) -> list[Clock]:
    """Each covered report's clock in working days, and how many documents its reporter's answer sealed."""
    fields = _sealed_fields(dispute)
    today = timezone.localdate()
    return [
        Clock(
            report=str(row.report.public_id),
            reporter_kind=row.report.reporter_organisation.get_kind_display(),
            state=row.state,
            state_label=row.get_state_display(),
            response_due=row.response_due,
            working_days=row.working_days,
            working_days_left=working_days_between(today, row.response_due),
            answered_at=row.answered_at,
            documents=_count(fields, f"answer_evidence:{row.report.reporter_organisation.public_id}"),
        )
        for row in dispute.covered.select_related("report__reporter_organisation")
    ]


def dispute_grounds_documents(dispute: Dispute) -> int:
    """How many documents the disputing platform sealed with its grounds."""
    return _count(_sealed_fields(dispute), "grounds_evidence")


def _sealed_fields(dispute: Dispute) -> list[str]:
    records = RestrictedRecord.objects.filter(owner_type="dispute", owner_id=str(dispute.public_id))
    return list(records.values_list("field", flat=True))


def _count(fields: list[str], prefix: str) -> int:
    pattern = re.compile(rf"^{re.escape(prefix)}:\d+$")
    return sum(1 for name in fields if pattern.match(name))
