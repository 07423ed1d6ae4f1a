"""Watchlists: platforms and couriers register their own sellers' tokens and hear when they turn up.

A watch entry keeps the token in its storage form, the identifier type, the member's
own reference, the organisation and the level its receivers last heard, nothing else. When the domain links a watched
token into a subject or a seller's level changes, `watchlist_changes_notify` writes one
outbox row per watched seller (organisation + ref) and endpoint, in the caller's transaction.

Purpose limitation: an entry reveals matches only while its purpose is one its organisation may state
(accounts/purposes.py). An entry without one (those from before purposes were stated, or whose purpose
the membership agreement dropped) writes no events and no match records and is shown as needing a
purpose until `watch_entry_restate` (or watching the identifier again) sets an allowed one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Set

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.models import VerificationState
from accounts.purposes import organisation_purposes, purpose_require
from accounts.roles import Capability
from accounts.scoped import scoped_get
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_gate, transfer_record
from hub.errors import ConflictError
from hub.keys import KeyRing, token_storage_keys
from sharing.checks.services.match_gate import lookup_counts, lookup_gate
from sharing.checks.services.matches import matched_by_subject, subject_matches_record
from sharing.crypto.tokens import token_lookup_forms, token_seal, token_unseal
from sharing.models import IdentifierToken, MatchSource, WatchEntry, WebhookEndpoint
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    TokenisedIdentifier,
    identifiers_tokenise,
    stored_tokens_of,
)
from sharing.watchlists.services.webhooks import webhook_events_write

# The webhook event types and what each means in words: the one catalogue, for pages that show
# deliveries (the code stays the payload's `type`, and visible on those pages for developers).
EVENT_TYPE_LABELS = {
    "subject.linked": _("A watched identifier was linked to a reported seller"),
    "subject.level_changed": _("A watched seller's level changed"),
    "sales_totals.task_created": _("A seller you matched: a request for its sales totals awaits your answer"),
}
EVENT_TYPES = frozenset(EVENT_TYPE_LABELS)
# Keys of an event's data that the hub sets itself; the caller's details may not replace them.
_RESERVED_DATA_KEYS = frozenset({"watch_ref", "identifier_type"})


def watchlist_add(
    *, identifiers: list[RawIdentifier | SuppliedToken], ref: str, purpose: str, actor: Actor
) -> list[WatchEntry]:
    """Watch these identifiers of one of the actor's sellers for a stated purpose; raw values are
    tokenised and dropped."""
    require(actor, Capability.WATCHLIST_MANAGE)
    transfer_gate(organisation=actor.organisation, channel=TransferChannel.WATCH, actor=actor)
    purpose = purpose_require(organisation=actor.organisation, purpose=purpose)
    tokenised = identifiers_tokenise(identifiers=identifiers, default_country=actor.organisation.country)
    # A watch entry is a standing check (its webhooks tell when the seller is listed), so it passes
    # the gate of every match-revealing path: otherwise a watchlist of a whole number range would
    # enumerate reported sellers without limit.
    hits = sum(1 for row in stored_tokens_of(tokenised) if row.subject_id)
    lookup_gate(actor=actor, tokenised=tokenised, matched=bool(hits), tag=AuditTag.WATCH_ADDED)
    return _watch_entries_store(tokenised=tokenised, ref=ref, purpose=purpose, actor=actor, hits=hits)


@transaction.atomic
def _watch_entries_store(
    *, tokenised: list[TokenisedIdentifier], ref: str, purpose: str, actor: Actor, hits: int
) -> list[WatchEntry]:
    keys = token_storage_keys()
    existing = WatchEntry.objects.filter(organisation=actor.organisation)
    if existing.count() + len(tokenised) > settings.HUB_WATCHLIST_MAX_ENTRIES:
        raise ConflictError(
            gettext("A watchlist holds at most %(count)s entries; remove some first.")
            % {"count": settings.HUB_WATCHLIST_MAX_ENTRIES}
        )
    entries, created, restated = [], 0, 0
    allowed = organisation_purposes(actor.organisation)
    # A new identifier of a seller already watched joins what its receivers last heard.
    heard = existing.filter(ref=ref).values_list("last_level", flat=True).first() or "none"
    for item in tokenised:
        # Already watched (under any storage key): keep the first entry and its ref; one that needs a
        # purpose takes the purpose stated now.
        entry = existing.filter(
            token__in=token_lookup_forms(item.token, keys=keys), identifier_type=item.type
        ).first()
        if entry is not None and entry.purpose not in allowed:
            WatchEntry.objects.filter(pk=entry.pk).update(purpose=purpose)
            entry.purpose = purpose
            restated += 1
        if entry is None:
            entry = WatchEntry.objects.create(
                organisation=actor.organisation,
                token=token_seal(item.token, keys=keys),
                identifier_type=item.type,
                ref=ref,
                last_level=heard,
                created_by=actor.member,
                purpose=purpose,
            )
            created += 1
        entries.append(entry)
    transfer_record(
        organisation=actor.organisation,
        channel=TransferChannel.WATCH,
        target_type="watch_entry",
        member=actor.member,
    )
    # The ref is the member's own free text, so it stays out of the audit log.
    audit_record(
        actor=actor,
        tag=AuditTag.WATCH_ADDED,
        data_class=DataClass.SHAREABLE,
        target_type="watch_entry",
        details={
            "created": created,
            "restated": restated,
            "identifier_types": sorted({i.type for i in tokenised}),
            "ids": [str(e.public_id) for e in entries],
            "purpose": purpose,
            **lookup_counts(hits=hits, looked_up=len(tokenised)),
        },
    )
    return entries


def watch_entries_of(*, actor: Actor) -> QuerySet[WatchEntry]:
    """The actor's own organisation's entries, newest first; no other organisation's are there."""
    require(actor, Capability.WATCHLIST_MANAGE)
    return (
        WatchEntry.objects.filter(organisation=actor.organisation)
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )


def watch_entry_purpose_allowed(entry: WatchEntry) -> bool:
    """Whether the entry's purpose is one its organisation may state now; without one it reveals nothing."""
    return bool(entry.purpose) and entry.purpose in organisation_purposes(entry.organisation)


def watch_entry_restate(*, public_id, purpose: str, actor: Actor) -> WatchEntry:
    """Set an allowed purpose on one entry of the actor's organisation (the way back for an entry that
    needs one); another organisation's entry is simply not found."""
    entry = scoped_get(
        actor=actor,
        queryset=watch_entries_of(actor=actor),
        public_id=public_id,
        tag=AuditTag.WATCH_ADDED,
        target_type="watch_entry",
        noun=gettext_noop("watch entry"),
    )
    purpose = purpose_require(organisation=actor.organisation, purpose=purpose)
    return _watch_entry_purpose_set(entry=entry, purpose=purpose, actor=actor)


@transaction.atomic
def _watch_entry_purpose_set(*, entry: WatchEntry, purpose: str, actor: Actor) -> WatchEntry:
    previous = entry.purpose
    WatchEntry.objects.filter(pk=entry.pk).update(purpose=purpose)
    entry.purpose = purpose
    # No dedicated tag yet: a restatement is recorded as the entry's (re)statement, with what it replaced.
    audit_record(
        actor=actor,
        tag=AuditTag.WATCH_ADDED,
        target=entry,
        data_class=DataClass.SHAREABLE,
        details={"restated": True, "purpose": purpose, "previous_purpose": previous},
    )
    return entry


def watch_entries_page_audit(*, actor: Actor, page: list[WatchEntry]) -> None:
    """Audit a page of entries shown to the actor (ids only), in the request's transaction."""
    transfer_record(
        organisation=actor.organisation,
        channel=TransferChannel.WATCH,
        target_type="watch_entry",
        member=actor.member,
    )
    audit_record(
        actor=actor,
        tag=AuditTag.WATCH_LISTED,
        data_class=DataClass.SHAREABLE,
        target_type="watch_entry",
        details={"count": len(page), "ids": [str(e.public_id) for e in page]},
    )


def watch_entry_remove(*, public_id, actor: Actor) -> None:
    """Stop watching one entry of the actor's organisation; another's is simply not found."""
    # Found (or refused) outside the write's transaction, so a refusal stays on record.
    entry = scoped_get(
        actor=actor,
        queryset=watch_entries_of(actor=actor),
        public_id=public_id,
        tag=AuditTag.WATCH_REMOVED,
        target_type="watch_entry",
        noun=gettext_noop("watch entry"),
    )
    _watch_entry_delete(entry=entry, actor=actor)


@transaction.atomic
def _watch_entry_delete(*, entry: WatchEntry, actor: Actor) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.WATCH_REMOVED,
        target=entry,
        data_class=DataClass.SHAREABLE,
        details={"identifier_type": entry.identifier_type},
    )
    WatchEntry.objects.filter(pk=entry.pk).delete()


def watchlist_notify(
    *, subject_ids: Set[int] = frozenset(), event: str, details: dict, token_ids: Set[int] = frozenset()
) -> int:
    """Write an outbox event for every endpoint of every organisation watching a token of these subjects.

    Call it inside the transaction that made the change: the events commit or roll back with
    it, and are handed to the workers only after it commits. Returns how many rows it wrote.
    `details` must be shareable (no raw values, no reporter names): it is sent as it is.
    `token_ids` reaches watchers of tokens that no longer belong to any subject (a subject
    that dissolved when its last report stopped counting).
    """
    if event not in EVENT_TYPES:
        raise ValueError(f"unknown watchlist event {event!r}")
    if _RESERVED_DATA_KEYS & details.keys():
        raise ValueError(f"details may not set {sorted(_RESERVED_DATA_KEYS & details.keys())}")
    # One event per watched seller (organisation + ref), never one per watched identifier.
    sellers = {(e.organisation_id, e.ref): e for e in reversed(_entries_watching(subject_ids, token_ids))}
    return sum(_seller_events_write(entry, event=event, details=details) for entry in sellers.values())


LEVEL_ORDER = ("none", "reported", "listed", "confirmed")


def watchlist_changes_notify(
    *,
    token_ids: set[int],
    subject_level: Callable[[int | None], str],
    linked_token_ids: Set[int] = frozenset(),
) -> int:
    """After one change to these tokens: at most one event per watched seller (organisation + ref) and endpoint.

    A seller's level is the highest level of the subjects its watched tokens belong to. When it
    differs from the level its receivers last heard, they get one `subject.level_changed` from
    that level (`data.linked` says whether the change also linked a watched token); when it
    did not change but a watched token was newly linked, one `subject.linked`. Never one per
    identifier, never two for one change. Call it in the change's transaction.
    """
    levels: dict[int | None, str] = {}
    written = 0
    for entries in _sellers_watching(token_ids).values():
        rows = stored_tokens_of(
            TokenisedIdentifier(e.identifier_type, token_unseal(e.token, keys=token_storage_keys()), 0)
            for e in entries
        )
        for row in rows:
            if row.subject_id not in levels:
                levels[row.subject_id] = subject_level(row.subject_id)
        level = max((levels[row.subject_id] for row in rows), key=LEVEL_ORDER.index, default="none")
        heard = max((e.last_level for e in entries), key=_level_rank)
        linked = any(row.pk in linked_token_ids for row in rows)
        if level != heard:
            event, details = "subject.level_changed", {"from": heard, "to": level, "linked": linked}
        elif linked:
            event, details = "subject.linked", {"level": level}
        else:
            continue
        WatchEntry.objects.filter(pk__in=[e.pk for e in entries]).update(last_level=level)
        written += _seller_events_write(entries[0], event=event, details=details)
        # The watcher now hears its seller is listed: it may give feedback on the subjects that list it.
        subject_matches_record(
            organisation_id=entries[0].organisation_id,
            matched=matched_by_subject(
                (row.subject_id, row.pk)
                for row in rows
                if row.subject_id and levels[row.subject_id] != "none"
            ),
            source=MatchSource.WATCH,
            reference=str(entries[0].public_id),
            purpose=entries[0].purpose,
        )
    return written


def _level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 0


def _sellers_watching(token_ids: set[int]) -> dict[tuple[int, str], list[WatchEntry]]:
    """Every entry of each watched seller (organisation + ref) that watches one of these tokens."""
    sellers = {(e.organisation_id, e.ref) for e in _entries_watching(set(), token_ids)}
    grouped: dict[tuple[int, str], list[WatchEntry]] = defaultdict(list)
    if not sellers:
        return grouped
    wanted = Q()
    for organisation_id, ref in sellers:
        wanted |= Q(organisation_id=organisation_id, ref=ref)
    for entry in WatchEntry.objects.filter(wanted).select_related("organisation").order_by("pk"):
        # A seller's other identifiers count only under an allowed purpose too.
        if watch_entry_purpose_allowed(entry):
            grouped[(entry.organisation_id, entry.ref)].append(entry)
    return grouped


def _seller_events_write(entry: WatchEntry, *, event: str, details: dict) -> int:
    endpoints = _active_endpoints_by_organisation({entry.organisation_id}).get(entry.organisation_id, [])
    events = [(endpoint, {"watch_ref": entry.ref, **details}) for endpoint in endpoints]
    return len(webhook_events_write(event_type=event, events=events, now=timezone.now()))


def _entries_watching(subject_ids: Set[int], token_ids: Set[int]) -> list[WatchEntry]:
    """Watch entries whose token is one of these subjects' tokens (or one of these tokens), under whichever storage key."""
    if not subject_ids and not token_ids:
        return []
    keys = token_storage_keys()
    stored = IdentifierToken.objects.filter(Q(subject_id__in=subject_ids) | Q(pk__in=token_ids)).values_list(
        "token", "identifier_type"
    )
    # Unseal and re-seal under every loaded key: during a storage-key rotation the entry and
    # the token row may sit under different keys. An entry watches a token under its own type only
    # (stored_tokens_of): a claim under another type hears nothing of the other type's row.
    pairs = {
        (form, kind)
        for row, kind in stored
        for form in token_lookup_forms(token_unseal(row, keys=keys), keys=keys)
    }
    standing = {"organisation__verification": VerificationState.VERIFIED, "organisation__suspended": False}
    entries = WatchEntry.objects.filter(token__in={form for form, _ in pairs}, **standing).select_related(
        "organisation"
    )
    # Every match-revealing read of watch entries passes here: without an allowed purpose, no entry.
    return [
        e
        for e in entries.order_by("pk")
        if (e.token, e.identifier_type) in pairs and watch_entry_purpose_allowed(e)
    ]


def organisation_event_write(*, organisation_id: int, event: str, data: dict) -> int:
    """One event of this type to each active endpoint of the organisation, in the caller's transaction."""
    if event not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event!r}")
    endpoints = _active_endpoints_by_organisation({organisation_id}).get(organisation_id, [])
    events = [(endpoint, dict(data)) for endpoint in endpoints]
    return len(webhook_events_write(event_type=event, events=events, now=timezone.now()))


def _active_endpoints_by_organisation(organisation_ids: set[int]) -> dict[int, list[WebhookEndpoint]]:
    endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in WebhookEndpoint.objects.filter(
        organisation_id__in=organisation_ids, active=True
    ).order_by("pk"):
        endpoints[endpoint.organisation_id].append(endpoint)
    return endpoints


def watch_entries_rekey(*, keys: KeyRing | None = None) -> int:
    """Re-seal watch entries under the active storage key; run it with `rotate_token_storage`."""
    keys = keys or token_storage_keys()
    rewritten = 0
    stale = WatchEntry.objects.exclude(token__startswith=f"{keys.active_version}:").order_by("pk")
    for entry in stale.iterator():
        with transaction.atomic():
            # A second entry of the same organisation under the new form would break uniqueness: keep one.
            new_form = token_seal(token_unseal(entry.token, keys=keys), keys=keys)
            if WatchEntry.objects.filter(organisation_id=entry.organisation_id, token=new_form).exists():
                WatchEntry.objects.filter(pk=entry.pk).delete()
            else:
                rewritten += WatchEntry.objects.filter(pk=entry.pk).update(token=new_form)
    return rewritten
