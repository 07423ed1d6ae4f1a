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
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        _record_postgresql(organisation_id, matched, source=source, purpose=purpose, moment=moment)
        return
    # The embedded default (SQLite) has no replica, but the same rule: each token's subject now.
    current = dict(
        IdentifierToken.objects.filter(
            pk__in={t for subjects in matched.values() for tokens in subjects.values() for t in tokens},
            subject__isnull=False,
        ).values_list("pk", "subject_id")
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


# The ids matched may have been read on a lagging replica (hub/replica_reads.py): a subject merged or
# deleted on the primary since would fail the rows' foreign key at commit. So each matched token is
# recorded under the subject it belongs to now (a merge's survivor; none: no row), and that subject
# is locked FOR KEY SHARE, as the foreign key's own check would, so it cannot go before this commits.
_RECORD = """WITH now_of (reference, token_id, subject_id) AS (
  SELECT m.reference, t.id, s.id
  FROM unnest(%s::varchar[], %s::bigint[]) AS m(reference, token_id)
  JOIN sharing_identifiertoken t ON t.id = m.token_id
  JOIN sharing_subject s ON s.id = t.subject_id
  FOR KEY SHARE OF s
)
INSERT INTO sharing_subjectmatch (organisation_id, subject_id, source, reference, matched_at, tokens, purpose)
SELECT %s, subject_id, %s, reference, %s, jsonb_agg(token_id ORDER BY token_id), %s
FROM now_of GROUP BY reference, subject_id ORDER BY reference, subject_id
ON CONFLICT DO NOTHING"""


def _record_postgresql(
    organisation_id: int,
    matched: Mapping[str, Mapping[int, Iterable[int]]],
    *,
    source: str,
    purpose: str,
    moment: datetime,
) -> None:
    pairs = sorted(
        {
            (reference, token)
            for reference, subjects in matched.items()
            for tokens in subjects.values()
            for token in tokens
        }
    )
    if not pairs:
        return
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            _RECORD,
            [[r for r, _ in pairs], [t for _, t in pairs], organisation_id, source, moment, purpose],
        )


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
