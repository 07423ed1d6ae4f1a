"""Publish the feed: one path for every change to what a subject shows.

`feed_publish(subject_pks)` recomputes each subject's shareable STIX object from the current
state and appends a version only when it differs from the last one published; a subject no
longer listed (withdrawn, expired, overturned, suspended, merged away, split off into nothing)
gets a revoked last version. Every change to reports passes through `watch_changes`
(sharing/watchlists/services/watch_events.py), which calls it with the subjects around the
change, in the change's transaction; the few changes watchers do not hear of (a dispute filed,
a renewal) wrap themselves in `feed_changes`. A revoked object is never versioned again (STIX):
a subject listed again gets a new object id.

The same call publishes the audience collections (sharing/feed/services/audiences.py) for those
subjects: each rights owner's outcome of a listed subject its accepted reports name, and the
operators' view of each listed subject; an object whose subject is no longer listed (or no longer
named by the organisation's accepted reports) is revoked. What changes without a report changing
(members' checks, pending reports) reaches them through `feed_refresh`, run periodically.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from sharing.feed.services.audiences import COLLECTIONS, OPERATOR, OUTCOMES, outcome_states
from sharing.feed.services.content import (
    LISTINGS_COLLECTION_ID,
    PublishedState,
    fixed_objects,
    indicator_content,
    revoked_content,
    subject_state,
)
from sharing.feed.services.operator_content import operator_content, operator_state
from sharing.feed.services.outcome_content import outcome_content
from sharing.locks import lock_feed_clock
from sharing.models import FeedObjectVersion, IdentifierToken, Report, ReportIdentifier, Subject

_TICK = timedelta(microseconds=1)


@contextmanager
def feed_changes(reports: Iterable[Report]):
    """Around a change to these reports that `watch_changes` does not wrap: publish its subjects."""
    reports = list(reports)
    before = _subjects_named_by(reports)
    yield
    feed_publish(before | _subjects_named_by(reports))


def _subjects_named_by(reports: list[Report]) -> set[int]:
    tokens = ReportIdentifier.objects.filter(report__in=reports).values("token_id")
    return set(
        IdentifierToken.objects.filter(pk__in=tokens, subject__isnull=False).values_list(
            "subject_id", flat=True
        )
    )


def feed_publish_all() -> int:
    """Reconcile the whole feed with the current state (after subjects are recomputed wholesale)."""
    published = FeedObjectVersion.objects.filter(subject_pk__isnull=False).values_list(
        "subject_pk", flat=True
    )
    about = FeedObjectVersion.objects.filter(about_subject_pk__isnull=False).values_list(
        "about_subject_pk", flat=True
    )
    return feed_publish(set(Subject.objects.values_list("pk", flat=True)) | set(published) | set(about))


def feed_refresh() -> int:
    """The periodic pass: republish every object whose state changed without a report changing (members'
    checks in a rights owner's outcomes, pending reports in the operators' view). Only a changed
    digest makes a version, so a pass over an unchanged hub writes nothing."""
    return feed_publish_all()


# The audience collections' objects: (collection, audience organisation or None, subject).
AudienceKey = tuple[str, int | None, int]


@dataclass(frozen=True)
class _AudienceChange:
    key: AudienceKey
    live: FeedObjectVersion | None
    state: PublishedState | None  # None: revoke


_AUDIENCE_CONTENT: dict[str, tuple[str, Callable[..., dict]]] = {
    OUTCOMES.id: ("note", outcome_content),
    OPERATOR.id: ("indicator", operator_content),
}


# One transaction: the clock's row lock (select_for_update) needs one on PostgreSQL, and the audit row
# commits with the versions it records, whether called inside a change's transaction or by the
# periodic refresh (autocommit).
@transaction.atomic
def feed_publish(subject_pks: Iterable[int | None]) -> int:
    """Append a version for each object about these subjects whose state changed; returns how many."""
    wanted = sorted({pk for pk in subject_pks if pk})
    if not wanted:
        return 0
    states = _listing_states(wanted)
    listing_due = {pk for pk, _, _ in _changes(wanted, states)}
    audience_due = {change.key[2] for change in _audience_changes(wanted, states)}
    due = sorted(listing_due | audience_due)
    if not due:
        return 0
    # The audit head first, then the clock (sharing/locks.py): one order for every transaction.
    audit_record(
        actor=None,
        tag=AuditTag.FEED_PUBLISHED,
        data_class=DataClass.SHAREABLE,
        target_type="feed",
        target_id="",
        details={"subjects": len(due)},
    )
    clock = lock_feed_clock()
    # Again under the clock: a concurrent publication of the same subject has committed by now, so
    # what is written here is never older than what it follows.
    states = _listing_states(due)
    changes = _changes(due, states)
    added = clock.last_added

    def tick() -> datetime:
        nonlocal added
        added = max(timezone.now(), added + _TICK) if added else timezone.now()
        return added

    rows = _fixed_rows(tick)
    for pk, live, state in changes:
        moment = tick()
        if state is None:
            assert live is not None  # only a live object is revoked
            content = revoked_content(live.content, modified=moment)
            rows.append(_row(content, digest=live.state_digest, added=moment, subject_pk=pk, revoked=True))
            continue
        stix_id = live.stix_id if live else f"indicator--{uuid.uuid4()}"
        created = datetime.fromisoformat(live.content["created"]) if live else moment
        content = indicator_content(stix_id=stix_id, state=state.state, created=created, modified=moment)
        rows.append(_row(content, digest=state.digest, added=moment, subject_pk=pk))
    FeedObjectVersion.objects.bulk_create(rows)
    # The audience objects refer to the listing indicators just written.
    audience = _audience_changes(due, states)
    rows = [_audience_row(change, tick()) for change in audience]
    FeedObjectVersion.objects.bulk_create(rows)
    clock.last_added = added
    clock.save(update_fields=["last_added"])
    return len(changes) + len(audience)


def _listing_states(subject_pks: list[int]) -> dict[int, PublishedState | None]:
    return {pk: subject_state(pk) for pk in subject_pks}


def _changes(
    subject_pks: list[int], states: dict[int, PublishedState | None]
) -> list[tuple[int, FeedObjectVersion | None, PublishedState | None]]:
    """(subject, its live object or None, its state now or None to revoke) for each subject that changed."""
    last = _last_versions(subject_pks)
    changes: list[tuple[int, FeedObjectVersion | None, PublishedState | None]] = []
    for pk in subject_pks:
        state, previous = states[pk], last.get(pk)
        live = previous if previous is not None and not previous.revoked else None
        if state is None and live is not None:
            changes.append((pk, live, None))
        elif state is not None and (live is None or live.state_digest != state.digest):
            changes.append((pk, live, state))
    return changes


def _audience_changes(
    subject_pks: list[int], states: dict[int, PublishedState | None]
) -> list[_AudienceChange]:
    """Each audience object about these subjects whose state changed, or that must be revoked."""
    listed = [pk for pk in subject_pks if states[pk] is not None]
    indicators = _live_indicators(listed)
    wanted: dict[AudienceKey, PublishedState] = {}
    for pk in listed:
        listing = states[pk]
        assert listing is not None
        wanted[(OPERATOR.id, None, pk)] = operator_state(pk, listing)
    for (organisation_id, pk), outcome in outcome_states(listed, timezone.now()).items():
        if pk in indicators:
            wanted[(OUTCOMES.id, organisation_id, pk)] = PublishedState(
                "note", {**outcome, "indicator": indicators[pk]}
            )
    live = _live_audience_objects(subject_pks)
    changes = []
    for key in sorted(set(wanted) | set(live), key=lambda k: (k[2], k[0], k[1] or 0)):
        state, current = wanted.get(key), live.get(key)
        if state is None and current is not None:
            changes.append(_AudienceChange(key, current, None))
        elif state is not None and (current is None or current.state_digest != state.digest):
            changes.append(_AudienceChange(key, current, state))
    return changes


def _audience_row(change: _AudienceChange, moment: datetime) -> FeedObjectVersion:
    collection, organisation_id, pk = change.key
    live = change.live
    if change.state is None:
        assert live is not None
        content = revoked_content(live.content, modified=moment)
        digest, revoked = live.state_digest, True
    else:
        stix_type, build = _AUDIENCE_CONTENT[collection]
        stix_id = live.stix_id if live else f"{stix_type}--{uuid.uuid4()}"
        created = datetime.fromisoformat(live.content["created"]) if live else moment
        content = build(stix_id=stix_id, state=change.state.state, created=created, modified=moment)
        digest, revoked = change.state.digest, False
    return FeedObjectVersion(
        collection=collection,
        audience_organisation_id=organisation_id,
        about_subject_pk=pk,
        stix_id=content["id"],
        stix_type=content["type"],
        version=content["modified"],
        date_added=moment,
        revoked=revoked,
        state_digest=digest,
        content=content,
    )


def _live_indicators(subject_pks: list[int]) -> dict[int, str]:
    """The live listing indicator of each of these subjects."""
    last = _last_versions(subject_pks)
    return {pk: row.stix_id for pk, row in last.items() if not row.revoked}


def _live_audience_objects(subject_pks: list[int]) -> dict[AudienceKey, FeedObjectVersion]:
    """The newest version of each audience object about these subjects that is not revoked."""
    last = (
        FeedObjectVersion.objects.filter(about_subject_pk__in=subject_pks)
        .values("collection", "audience_organisation", "about_subject_pk")
        .annotate(last=Max("sequence"))
        .values_list("last", flat=True)
    )
    rows = FeedObjectVersion.objects.filter(sequence__in=list(last), revoked=False)
    return {
        (row.collection, row.audience_organisation_id, row.about_subject_pk): row
        for row in rows
        if row.about_subject_pk is not None
    }


def _row(
    content: dict,
    *,
    digest: str,
    added: datetime,
    version=None,
    subject_pk=None,
    revoked=False,
    collection=None,
) -> FeedObjectVersion:
    return FeedObjectVersion(
        collection=collection or LISTINGS_COLLECTION_ID,
        stix_id=content["id"],
        stix_type=content["type"],
        version=version or content["modified"],
        date_added=added,
        revoked=revoked,
        subject_pk=subject_pk,
        state_digest=digest,
        content=content,
    )


def _last_versions(subject_pks: list[int]) -> dict[int, FeedObjectVersion]:
    """The newest listing version of each of these subjects."""
    last = (
        FeedObjectVersion.objects.filter(subject_pk__in=subject_pks)
        .values("subject_pk")
        .annotate(last=Max("sequence"))
        .values_list("last", flat=True)
    )
    rows = FeedObjectVersion.objects.filter(sequence__in=list(last), subject_pk__isnull=False)
    return {row.subject_pk: row for row in rows if row.subject_pk is not None}


def _fixed_rows(tick: Callable[[], datetime]) -> list[FeedObjectVersion]:
    """The fixed objects not yet in each collection as they are now (published once, or again when changed)."""
    objects = [(content, PublishedState(content["type"], content).digest) for content in fixed_objects()]
    published = set(
        FeedObjectVersion.objects.filter(
            audience_organisation__isnull=True, stix_id__in=[content["id"] for content, _ in objects]
        ).values_list("collection", "stix_id", "state_digest")
    )
    return [
        _row(
            content,
            digest=digest,
            added=tick(),
            version=content.get("modified", content["created"]),
            collection=collection.id,
        )
        for collection in COLLECTIONS
        for content, digest in objects
        if (collection.id, content["id"], digest) not in published
    ]
