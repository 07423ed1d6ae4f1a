"""The operators' view of a listed subject: its listing indicator with operator-only counts, TLP:RED.

Counts only (how many reports naming the subject's identifiers are pending, suspended or overturned,
how many covered reports' disputes are undecided, how many of its reporting organisations are
suspended): never a raw value, never who reported. No member holds the collection's capability.
"""

from __future__ import annotations

from datetime import datetime

from sharing.feed.services.content import (
    OPERATOR_EXTENSION_ID,
    TLP_RED_ID,
    PublishedState,
    indicator_content,
)
from sharing.models import DisputedReport, Report, ReportStatus
from sharing.models.disputes import LIVE_COVERAGE_STATES


def operator_state(subject_pk: int, listing: PublishedState) -> PublishedState:
    """The listing's state plus the operator-only counts about the subject."""
    reports = Report.objects.filter(identifiers__token__subject_id=subject_pk).distinct()
    by_status = {
        status: reports.filter(status=status).count()
        for status in (ReportStatus.PENDING, ReportStatus.SUSPENDED, ReportStatus.OVERTURNED)
    }
    open_disputes = (
        DisputedReport.objects.filter(report__in=reports.values("pk"), state__in=LIVE_COVERAGE_STATES)
        .values("report_id")
        .distinct()
        .count()
    )
    suspended_reporters = (
        reports.filter(reporter_organisation__suspended=True)
        .values("reporter_organisation_id")
        .distinct()
        .count()
    )
    return PublishedState(
        "indicator",
        {
            **listing.state,
            "operator": {
                "pending_reports": by_status[ReportStatus.PENDING],
                "suspended_reports": by_status[ReportStatus.SUSPENDED],
                "overturned_reports": by_status[ReportStatus.OVERTURNED],
                "open_disputes": open_disputes,
                "suspended_reporting_organisations": suspended_reporters,
            },
        },
    )


def operator_content(*, stix_id: str, state: dict, created: datetime, modified: datetime) -> dict:
    listing = {key: value for key, value in state.items() if key != "operator"}
    return indicator_content(
        stix_id=stix_id,
        state=listing,
        created=created,
        modified=modified,
        marking=TLP_RED_ID,
        more_extensions={
            OPERATOR_EXTENSION_ID: {"extension_type": "property-extension", **state["operator"]}
        },
    )
