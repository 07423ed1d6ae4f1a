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

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from sharing.models import IdentifierToken, SubjectMatch


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
    current = _subjects_now(
        {token for subjects in matched.values() for tokens in subjects.values() for token in tokens}
    )
    rows = [
        SubjectMatch(
            organisation_id=organisation_id,
            subject_id=subject_id,
            source=source,
            reference=reference,
            matched_at=moment,
            tokens=sorted(tokens),
            purpose=purpose,
        )
        for reference, subjects in matched.items()
        for subject_id, tokens in sorted(_regrouped(subjects, current).items())
    ]
    if rows:
        SubjectMatch.objects.bulk_create(rows, ignore_conflicts=True)


def _subjects_now(token_ids: set[int]) -> dict[int, int]:
    """Token id → the subject it belongs to on the primary now, for the tokens that still have one.

    The ids matched may have been read on a lagging replica (hub/replica_reads.py): a subject merged
    or deleted on the primary since would fail the rows' foreign key at commit. The subjects are
    locked FOR KEY SHARE (as the foreign key's own check would), so none goes before this commits."""
    if not token_ids:
        return {}
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return dict(
            IdentifierToken.objects.using(DEFAULT_DB_ALIAS)
            .filter(pk__in=token_ids, subject__isnull=False)
            .values_list("pk", "subject_id")
        )
    with connection.cursor() as cursor:
        cursor.execute(_SUBJECTS_NOW, [sorted(token_ids)])
        return dict(cursor.fetchall())


_SUBJECTS_NOW = """SELECT t.id, s.id FROM sharing_identifiertoken t JOIN sharing_subject s ON s.id = t.subject_id
WHERE t.id = ANY(%s) FOR KEY SHARE OF s"""


def _regrouped(subjects: Mapping[int, Iterable[int]], current: dict[int, int]) -> dict[int, set[int]]:
    """The matched tokens under the subject each belongs to now (a merge's survivor); a token of no
    subject any more is left out, as matched_by_subject leaves it out."""
    grouped: dict[int, set[int]] = {}
    for tokens in subjects.values():
        for token in tokens:
            if token in current:
                grouped.setdefault(current[token], set()).add(token)
    return grouped


def matched_by_subject(pairs: Iterable[tuple[int | None, int]]) -> dict[int, set[int]]:
    """(subject id, token id) pairs as subject id → token ids, leaving out tokens of no subject."""
    grouped: dict[int, set[int]] = {}
    for subject_id, token_id in pairs:
        if subject_id:
            grouped.setdefault(subject_id, set()).add(token_id)
    return grouped
