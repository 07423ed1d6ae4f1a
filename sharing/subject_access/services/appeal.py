"""The listed person's direct appeal: a dispute under the due-process rules, filed by the person."""

from __future__ import annotations

from sharing.due_process.services.disputes import dispute_file_by_subject
from sharing.models import Dispute
from sharing.subject_access.services.proof import ProvenIdentifier


def subject_appeal_file(*, proven: list[ProvenIdentifier], grounds: str, request_id: str = "") -> Dispute:
    """Contest the live reports naming the proven identifiers (reporters' windows, lapse, decision as ever)."""
    return dispute_file_by_subject(
        tokenised=[p.tokenised() for p in proven], grounds=grounds, request_id=request_id
    )
