"""How a report's state looks in a list: the badge class of each state (the words are the model's choices)."""

from __future__ import annotations

from sharing.models import ReportStatus

STATE_BADGES: dict[str, str] = {
    ReportStatus.ACCEPTED: "badge-ok",
    ReportStatus.PENDING: "badge-warn",
    ReportStatus.REJECTED: "badge-danger",
    ReportStatus.SUSPENDED: "badge-danger",
    ReportStatus.OVERTURNED: "badge-danger",
}
