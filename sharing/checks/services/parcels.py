"""Couriers' parcel events as the check answer reads them: counts per kind, never the events, and the
parcel action a courier gets with its answer.

`parcel_event_counts` reads, for a set of subjects, which events name one of their tokens now (the
subject read through IdentifierToken.subject at read time, so relinks and splits carry the events
along); `parcel_counts_suppressed` gives the counts in the house suppression shape, each kind by the
distinct recording organisations behind it, as `members_acted` is. Recording and listing events is
sharing/parcels/ (above this package).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sharing.checks.services.suppression import SuppressedCount, suppressed_pooled
from sharing.models import ParcelEvent, ParcelEventKind

# --- counts ------------------------------------------------------------------------------------------

# One subject's events: event pk → (kind, recording organisation pk).
SubjectParcelEvents = dict[int, tuple[str, int]]


def parcel_event_counts(subject_ids: Iterable[int]) -> dict[int, SubjectParcelEvents]:
    """Per subject, the parcel events naming one of its tokens now, in one query."""
    subject_ids = set(subject_ids)
    events: dict[int, SubjectParcelEvents] = defaultdict(dict)
    if not subject_ids:
        return events
    rows = ParcelEvent.tokens.through.objects.filter(identifiertoken__subject_id__in=subject_ids).values_list(
        "identifiertoken__subject_id", "parcelevent_id", "parcelevent__kind", "parcelevent__organisation_id"
    )
    for subject_id, event_id, kind, organisation_id in rows:
        events[subject_id][event_id] = (kind, organisation_id)
    return events


def parcel_counts_suppressed(events: Iterable[SubjectParcelEvents]) -> dict[str, SuppressedCount]:
    """Counts per kind of the distinct events of these subjects, each shown only when every subject on
    its own has enough distinct recording organisations behind that kind (suppression.py
    `suppressed_pooled`): a hidden seller's count cannot be read off by checking it beside a shown one."""
    groups = [
        [(kind, event_id, organisation_id) for event_id, (kind, organisation_id) in subject_events.items()]
        for subject_events in events
    ]
    return suppressed_pooled(groups, ParcelEventKind.values)


def parcel_counts_json(counts: dict[str, SuppressedCount]) -> dict[str, dict]:
    return {kind: count.as_json() for kind, count in counts.items()}


# --- the parcel action -------------------------------------------------------------------------------


def parcel_action(recommended_action: str) -> str:
    """What a courier does with a parcel at pick-up, from the recommended action under its policy."""
    return "accept" if recommended_action == "allow" else "hold_for_inspection"
