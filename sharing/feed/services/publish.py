"""Publish the feed: one path for every change to what a subject shows.

`feed_publish(subject_pks)` recomputes each subject's shareable STIX object from the current
state and appends a version only when it differs from the last one published; a subject no
longer listed (withdrawn, expired, overturned, suspended, merged away, split off into nothing)
gets a revoked last version. Every change to reports passes through `watch_changes`
(sharing/watchlists/services/watch_events.py), which calls it with the subjects around the
change, in the change's transaction; the few changes watchers do not hear of (a dispute filed,
a renewal) wrap themselves in `feed_changes`. A revoked object is never versioned again (STIX):
a subject listed again gets a new object id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from sharing.feed.services.content import (
    LISTINGS_COLLECTION_ID,
    PublishedState,
    fixed_objects,
    indicator_content,
    revoked_content,
    subject_state,
)
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
    return feed_publish(set(Subject.objects.values_list("pk", flat=True)) | set(published))


def feed_publish(subject_pks: Iterable[int | None]) -> int:
    """Append a version for each of these subjects whose shareable state changed; returns how many."""
    due = [pk for pk, _, _ in _changes(sorted({pk for pk in subject_pks if pk}))]
    if not due:
        return 0
    # The audit head first, then the clock (sharing/locks.py): one order for every transaction.
    audit_record(
        actor=None,
        tag=AuditTag.FEED_PUBLISHED,
        data_class=DataClass.SHAREABLE,
        target_type="feed_collection",
        target_id=LISTINGS_COLLECTION_ID,
        details={"subjects": len(due)},
    )
    clock = lock_feed_clock()
    # Again under the clock: a concurrent publication of the same subject has committed by now, so
    # what is written here is never older than what it follows.
    changes = _changes(due)
    fixed = _fixed_objects_due()
    added = clock.last_added
    rows = []

    def tick() -> datetime:
        nonlocal added
        added = max(timezone.now(), added + _TICK) if added else timezone.now()
        return added

    for content, digest in fixed:
        rows.append(
            _row(content, digest=digest, added=tick(), version=content.get("modified", content["created"]))
        )
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
    clock.last_added = added
    clock.save(update_fields=["last_added"])
    return len(changes)


def _changes(subject_pks: list[int]) -> list[tuple[int, FeedObjectVersion | None, PublishedState | None]]:
    """(subject, its live object or None, its state now or None to revoke) for each subject that changed."""
    last = _last_versions(subject_pks)
    changes: list[tuple[int, FeedObjectVersion | None, PublishedState | None]] = []
    for pk in subject_pks:
        state, previous = subject_state(pk), last.get(pk)
        live = previous if previous is not None and not previous.revoked else None
        if state is None and live is not None:
            changes.append((pk, live, None))
        elif state is not None and (live is None or live.state_digest != state.digest):
            changes.append((pk, live, state))
    return changes


def _row(
    content: dict, *, digest: str, added: datetime, version=None, subject_pk=None, revoked=False
) -> FeedObjectVersion:
    return FeedObjectVersion(
        collection=LISTINGS_COLLECTION_ID,
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
    last = (
        FeedObjectVersion.objects.filter(subject_pk__in=subject_pks)
        .values("subject_pk")
        .annotate(last=Max("sequence"))
        .values_list("last", flat=True)
    )
    rows = FeedObjectVersion.objects.filter(sequence__in=list(last), subject_pk__isnull=False)
    return {row.subject_pk: row for row in rows if row.subject_pk is not None}


def _fixed_objects_due() -> list[tuple[dict, str]]:
    """The fixed objects not yet in the collection as they are now (published once, or again when changed)."""
    objects = [(content, PublishedState(content["type"], content).digest) for content in fixed_objects()]
    published = set(
        FeedObjectVersion.objects.filter(
            collection=LISTINGS_COLLECTION_ID, stix_id__in=[content["id"] for content, _ in objects]
        ).values_list("stix_id", "state_digest")
    )
    return [(content, digest) for content, digest in objects if (content["id"], digest) not in published]
