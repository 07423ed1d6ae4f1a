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

from django.db.models import Q

from hubcore.identifiers.types import IdentifierType
from sharing.checks.services.suppression import SuppressedCount, suppressed_pooled
from sharing.models import ParcelEvent, ParcelEventKind

# --- counts ------------------------------------------------------------------------------------------

# One subject's parcels: parcel → (kind, recording organisation pk). A parcel is an organisation's
# (organisation pk, kind, waybill token pk): one courier recording the same waybill again, or naming it
# under a second event, counts once (recording refuses the repeat too, sharing/parcels/services.py).
# An organisation's events of a kind that name no waybill count as one parcel between them: without a
# waybill nothing tells their parcels apart, and one member must not inflate a count by repeating itself.
Parcel = tuple[int, str, int | None]
SubjectParcelEvents = dict[Parcel, tuple[str, int]]


def parcel_event_counts(subject_ids: Iterable[int]) -> dict[int, SubjectParcelEvents]:
    """Per subject, the parcels of the events naming one of its tokens now, in two queries."""
    subject_ids = set(subject_ids)
    if not subject_ids:
        return {}
    links = ParcelEvent.tokens.through.objects.filter(identifiertoken__subject_id__in=subject_ids)
    return _as_parcels(
        links.values_list(
            "identifiertoken__subject_id",
            "parcelevent_id",
            "parcelevent__kind",
            "parcelevent__organisation_id",
        )
    )


def parcel_events_naming(*, token_ids: Iterable[int], subject_ids: Iterable[int]) -> SubjectParcelEvents:
    """The parcels of the events naming these tokens or a token of these subjects (the listed person's
    export: their proven identifiers, linked or not), counted as a check counts them."""
    links = ParcelEvent.tokens.through.objects.filter(
        Q(identifiertoken_id__in=list(token_ids)) | Q(identifiertoken__subject_id__in=list(subject_ids))
    )
    rows = [
        (0, *row)
        for row in links.values_list("parcelevent_id", "parcelevent__kind", "parcelevent__organisation_id")
    ]
    return _as_parcels(rows).get(0, {})


def _as_parcels(rows: Iterable[tuple[int, int, str, int]]) -> dict[int, SubjectParcelEvents]:
    """(group, event, kind, organisation) rows as each group's parcels, each event's parcel keyed by its
    waybill (one more query)."""
    rows = list(rows)
    events: dict[int, SubjectParcelEvents] = defaultdict(dict)
    if not rows:  # no event names these sellers: no waybill to read
        return events
    waybills: dict[int, int] = {}
    for event_id, token_id in (
        ParcelEvent.tokens.through.objects.filter(
            parcelevent_id__in={row[1] for row in rows},
            identifiertoken__identifier_type=IdentifierType.WAYBILL,
        )
        .order_by("identifiertoken_id")
        .values_list("parcelevent_id", "identifiertoken_id")
    ):  # the first waybill
        waybills.setdefault(event_id, token_id)
    for group, event_id, kind, organisation_id in rows:
        events[group][(organisation_id, kind, waybills.get(event_id))] = (kind, organisation_id)
    return events


def parcel_counts_suppressed(events: Iterable[SubjectParcelEvents]) -> dict[str, SuppressedCount]:
    """Counts per kind of the distinct parcels of these subjects, each shown only when every subject on
    its own has enough distinct recording organisations behind that kind (suppression.py
    `suppressed_pooled`): a hidden seller's count cannot be read off by checking it beside a shown one."""
    groups = [
        [(kind, parcel, organisation_id) for parcel, (kind, organisation_id) in subject_events.items()]
        for subject_events in events
    ]
    return suppressed_pooled(groups, ParcelEventKind.values)


def parcel_counts_json(counts: dict[str, SuppressedCount]) -> dict[str, dict]:
    return {kind: count.as_json() for kind, count in counts.items()}


# --- the parcel action -------------------------------------------------------------------------------


def parcel_action(recommended_action: str) -> str:
    """What a courier does with a parcel at pick-up, from the recommended action under its policy."""
    return "accept" if recommended_action == "allow" else "hold_for_inspection"
