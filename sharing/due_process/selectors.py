"""Reads of disputes for the operator reviewers' pages: the queue, and each covered report's clock."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.actors import Actor
from accounts.capabilities import require
from accounts.roles import Capability
from sharing.due_process.services.clock import CoverageClock, coverage_clocks
from sharing.due_process.services.dispute_review import UNDECIDED
from sharing.due_process.services.disputes import disputes_visible_to
from sharing.models import Dispute, RestrictedRecord


@dataclass(frozen=True)
class CoveredSide:
    """One covered report's side of a dispute: its reporter, its clock and answer (never the answer's text)."""

    reporter_kind: str
    clock: CoverageClock
    documents: int


def disputes_review_queue(*, actor: Actor) -> QuerySet[Dispute]:
    """Disputes waiting for an operator's decision, the nearest due date first."""
    require(actor, Capability.DISPUTE_DECIDE)
    return (
        disputes_visible_to(actor=actor)
        .filter(status__in=UNDECIDED)
        .order_by("response_due", "filed_at", "id")
    )


def dispute_sides(dispute: Dispute) -> list[CoveredSide]:
    """Each covered report's clock, and how many documents its reporter's answer sealed."""
    fields = _sealed_fields(dispute)
    return [
        CoveredSide(
            reporter_kind=clock.row.report.reporter_organisation.get_kind_display(),
            clock=clock,
            documents=_count(fields, f"answer_evidence:{clock.row.report.reporter_organisation.public_id}"),
        )
        for clock in coverage_clocks(dispute=dispute)
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
