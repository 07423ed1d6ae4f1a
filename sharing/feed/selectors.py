"""TAXII 2.1 reads of the feed: which collections a member sees, and pages of their objects.

Collections and their audiences are in sharing/feed/services/audiences.py; a per-organisation
collection shows each reader only its own organisation's objects (`visible_rows`), by listing, by
object id, by versions and by manifest alike.

Pages follow `sequence`, the order versions were added in (and `date_added` strictly increases
with it), so `next` is the last sequence a page served: a poller neither skips nor repeats a
version, however many share a timestamp's millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from accounts.actors import Actor
from hub.errors import DomainError
from hub.replica_reads import replica_read
from sharing.feed.services.audiences import (
    STIX_MEDIA_TYPE,
    FeedCollection,
    collection_for,
    collections_for,
)
from sharing.models import FeedObjectVersion

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
DEFAULT_PAGE = 100
MAX_PAGE = 1000

__all__ = ["STIX_MEDIA_TYPE", "FeedCollection", "collection_for", "collections_for"]


@dataclass(frozen=True)
class FeedQuery:
    added_after: datetime | None
    after_sequence: int
    limit: int
    ids: list[str]
    types: list[str]
    versions: list[str]  # "last", "first", "all" or timestamps


@dataclass(frozen=True)
class FeedPage:
    rows: list[FeedObjectVersion]
    more: bool

    @property
    def next(self) -> str | None:
        return str(self.rows[-1].sequence) if self.more else None


def feed_query(params) -> FeedQuery:
    """The TAXII filters of a request's query string; a bad one is a 400 naming the parameter."""
    fields: dict[str, list[str]] = {}
    added_after = None
    if params.get("added_after"):
        added_after = _timestamp(params["added_after"])
        if added_after is None:
            fields["added_after"] = [gettext("Give an RFC 3339 timestamp, e.g. 2026-01-01T00:00:00.000Z.")]
    limit, after_sequence = DEFAULT_PAGE, 0
    try:
        limit = min(int(params.get("limit") or DEFAULT_PAGE), MAX_PAGE)
        if limit < 1:
            raise ValueError
    except ValueError:
        fields["limit"] = [gettext("Give a whole number of at least 1.")]
    try:
        after_sequence = int(params.get("next") or 0)
        if after_sequence < 0:
            raise ValueError
    except ValueError:
        fields["next"] = [gettext("Give the next value of the previous page, unchanged.")]
    versions = _listed(params.get("match[version]")) or ["last"]
    for version in versions:
        if version not in ("last", "first", "all") and _timestamp(version) is None:
            fields["match[version]"] = [gettext("Give last, first, all or RFC 3339 timestamps.")]
    if fields:
        raise DomainError(gettext("Some filters are not valid."), fields=fields)
    return FeedQuery(
        added_after=added_after,
        after_sequence=after_sequence,
        limit=limit,
        ids=_listed(params.get("match[id]")),
        types=_listed(params.get("match[type]")),
        versions=versions,
    )


def object_in_collection(actor: Actor, collection: FeedCollection, stix_id: str) -> bool:
    # Feed reads may go to the replica when it is fresh enough (hub/replica_reads.py).
    rows = visible_rows(actor, collection).filter(stix_id=stix_id)
    return replica_read(actor.organisation.pk, rows.exists)


def object_versions_page(
    actor: Actor, collection: FeedCollection, stix_id: str, query: FeedQuery
) -> FeedPage:
    """One page of an object's versions (TAXII `versions/`): every version, added_after and paging
    applied, in the order they were added."""
    rows = visible_rows(actor, collection).filter(stix_id=stix_id)
    if query.added_after is not None:
        rows = rows.filter(date_added__gt=query.added_after)
    rows = rows.filter(sequence__gt=query.after_sequence).order_by("sequence")
    page = replica_read(actor.organisation.pk, lambda: list(rows[: query.limit + 1]))
    return FeedPage(rows=page[: query.limit], more=len(page) > query.limit)


def _listed(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _timestamp(text: str) -> datetime | None:
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def visible_rows(actor: Actor, collection: FeedCollection) -> QuerySet[FeedObjectVersion]:
    """The collection's rows this actor may read: in a per-organisation collection, its own
    organisation's and those for every reader (fixed objects); never another organisation's."""
    rows = FeedObjectVersion.objects.filter(collection=collection.id)
    if collection.per_organisation:
        rows = rows.filter(
            Q(audience_organisation__isnull=True) | Q(audience_organisation=actor.organisation)
        )
    return rows


def feed_page(actor: Actor, collection: FeedCollection, query: FeedQuery) -> FeedPage:
    """One page of the collection's object versions that pass the filters, in the order they were added."""
    rows = _filtered(visible_rows(actor, collection), query)
    rows = rows.filter(sequence__gt=query.after_sequence).order_by("sequence")
    page = replica_read(actor.organisation.pk, lambda: list(rows[: query.limit + 1]))
    return FeedPage(rows=page[: query.limit], more=len(page) > query.limit)


def _filtered(rows: QuerySet[FeedObjectVersion], query: FeedQuery) -> QuerySet[FeedObjectVersion]:
    if query.added_after is not None:
        rows = rows.filter(date_added__gt=query.added_after)
    if query.ids:
        rows = rows.filter(stix_id__in=query.ids)
    if query.types:
        rows = rows.filter(stix_type__in=query.types)
    if "all" in query.versions:
        return rows
    same_object = FeedObjectVersion.objects.filter(
        collection=OuterRef("collection"), stix_id=OuterRef("stix_id")
    )
    wanted = Q(version__in=[_timestamp(v) for v in query.versions if v not in ("last", "first")])
    if "last" in query.versions:
        rows = rows.annotate(newest=Subquery(same_object.order_by("-sequence").values("sequence")[:1]))
        wanted |= Q(sequence=F("newest"))
    if "first" in query.versions:
        rows = rows.annotate(oldest=Subquery(same_object.order_by("sequence").values("sequence")[:1]))
        wanted |= Q(sequence=F("oldest"))
    return rows.filter(wanted)
