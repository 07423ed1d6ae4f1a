"""What an organisation's screening matched: the subjects it may give feedback on (sharing/feedback/),
and what the rights owners' outcomes count as members that checked a seller (sharing/outcomes/).

Written by every path that shows a member a hit (a check, a bulk screening, a watch), in the hit's
own transaction, so a member can give feedback on exactly what it was shown and nothing else.
One row per (organisation, subject, source, reference), whatever how often it is written: a bulk
chunk run twice, or a watcher told twice, counts once. Each row keeps the tokens it matched, so a
split sends it to the part holding them (sharing/subjects/services/subjects.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.utils import timezone

from sharing.models import SubjectMatch


def subject_matches_record(
    *,
    organisation_id: int,
    matched: Mapping[int, Iterable[int]],
    source: str,
    reference: str,
    purpose: str,
    now: datetime | None = None,
) -> None:
    """One row per matched subject (subject id → the ids of its tokens matched), in one statement;
    a row already recorded for the same reference is left as it is."""
    subject_matches_record_many(
        organisation_id=organisation_id,
        matched={reference: matched},
        source=source,
        purpose=purpose,
        now=now,
    )


def subject_matches_record_many(
    *,
    organisation_id: int,
    matched: Mapping[str, Mapping[int, Iterable[int]]],
    source: str,
    purpose: str,
    now: datetime | None = None,
) -> None:
    """subject_matches_record for several references at once (reference → subject id → token ids), in
    one statement: a batch check's sellers, each under its own check id."""
    moment = now or timezone.now()
    rows = [
        SubjectMatch(
            organisation_id=organisation_id,
            subject_id=subject_id,
            source=source,
            reference=reference,
            matched_at=moment,
            tokens=sorted(set(subjects[subject_id])),
            purpose=purpose,
        )
        for reference, subjects in matched.items()
        for subject_id in sorted(subjects)
    ]
    if rows:
        SubjectMatch.objects.bulk_create(rows, ignore_conflicts=True)


def matched_by_subject(pairs: Iterable[tuple[int | None, int]]) -> dict[int, set[int]]:
    """(subject id, token id) pairs as subject id → token ids, leaving out tokens of no subject."""
    grouped: dict[int, set[int]] = {}
    for subject_id, token_id in pairs:
        if subject_id:
            grouped.setdefault(subject_id, set()).add(token_id)
    return grouped
