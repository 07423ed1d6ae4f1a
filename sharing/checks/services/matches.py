"""What an organisation's screening matched: the subjects it may give feedback on (sharing/feedback/).

Written by every path that shows a member a hit (a check, a bulk screening), in the hit's own
transaction, so a member can give feedback on exactly what it was shown and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from sharing.models import SubjectMatch


def subject_matches_record(
    *,
    organisation_id: int,
    subject_ids: Iterable[int],
    source: str,
    reference: str,
    now: datetime | None = None,
) -> None:
    """One row per matched subject, in one statement (none when nothing matched)."""
    moment = now or timezone.now()
    rows = [
        SubjectMatch(
            organisation_id=organisation_id,
            subject_id=subject_id,
            source=source,
            reference=reference,
            matched_at=moment,
        )
        for subject_id in sorted(set(subject_ids))
    ]
    if rows:
        SubjectMatch.objects.bulk_create(rows)
