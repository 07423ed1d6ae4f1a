"""Re-key the token storage layer in place: no raw value needed, lookups keep working meanwhile."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from hub.keys import KeyRing, token_storage_keys
from sharing import locks
from sharing.crypto.tokens import token_seal, token_unseal
from sharing.models import (
    Canary,
    IdentifierChallenge,
    IdentifierToken,
    ParcelEvent,
    RectificationRequest,
    ReportIdentifier,
)
from sharing.models.bulk import BULK_ACTIVE_STATUSES, BulkRow
from sharing.watchlists.services.watchlists import watch_entries_rekey


@dataclass
class RotationSummary:
    rewritten: int = 0
    merged: int = 0
    remaining: int = 0
    # Rows of queued or running bulk jobs re-sealed (or, in a dry run, still to re-seal).
    bulk_rows: int = 0


def token_storage_rotate(
    *, batch_size: int = 1000, dry_run: bool = False, keys: KeyRing | None = None
) -> RotationSummary:
    """Rewrite every stored token not yet under the active storage key, one batch per transaction."""
    keys = keys or token_storage_keys()
    active_prefix = f"{keys.active_version}:"
    summary = RotationSummary()
    for model in (IdentifierToken, Canary):
        stale = model.objects.exclude(token__startswith=active_prefix)
        if dry_run:
            summary.remaining += stale.count()
            continue
        while batch := list(stale.order_by("pk").values_list("pk", flat=True)[:batch_size]):
            _rotate_batch(model, batch, keys, summary)
    if dry_run:
        summary.bulk_rows = _bulk_rows_stale(keys).count()
        return summary
    summary.rewritten += watch_entries_rekey(keys=keys)
    summary.rewritten += subject_access_tokens_rekey(keys=keys)
    summary.bulk_rows = bulk_rows_rekey(keys=keys, batch_size=batch_size)
    return summary


def bulk_rows_rekey(*, keys: KeyRing, batch_size: int = 1000) -> int:
    """Re-seal the tokens of live bulk jobs' rows under the active key, so their chunks outlive the old key."""
    rewritten, last_pk = 0, 0
    stale = _bulk_rows_stale(keys).order_by("pk")
    # Walk forward by primary key: each batch commits on its own, so a stopped run resumes
    # from what is still stale, and a row that cannot change is never fetched twice.
    while batch := list(stale.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch_size]):
        rewritten += _bulk_rows_batch(batch, keys)
        last_pk = batch[-1]
    return rewritten


def _bulk_rows_stale(keys: KeyRing) -> QuerySet:
    """Rows of queued or running jobs whose tokens are not under the active key."""
    # A row's tokens are sealed together, under one key (at upload or here), so its first
    # token tells; finished jobs are never read again and are left to expire.
    return BulkRow.objects.filter(job__status__in=BULK_ACTIVE_STATUSES, tokens__0__isnull=False).exclude(
        tokens__0__token__startswith=f"{keys.active_version}:"
    )


@transaction.atomic
def _bulk_rows_batch(pks: list[int], keys: KeyRing) -> int:
    """Re-seal one batch of rows, locked in primary-key order; the number of rows changed."""
    changed = []
    for row in locks.lock_bulk_rows(pks):
        # Sealing is deterministic: a token already under the active key comes out unchanged.
        tokens = [
            {**item, "token": token_seal(token_unseal(item["token"], keys=keys), keys=keys)}
            for item in row.tokens
        ]
        if tokens != row.tokens:
            row.tokens = tokens
            changed.append(row)
    BulkRow.objects.bulk_update(changed, ["tokens"])
    return len(changed)


@transaction.atomic
def _rotate_batch(model, pks: list[int], keys: KeyRing, summary: RotationSummary) -> None:
    for row in locks.lock_rows_of(model, pks):
        new_form = token_seal(token_unseal(row.token, keys=keys), keys=keys)
        try:
            with transaction.atomic():
                model.objects.filter(pk=row.pk).update(token=new_form)
            summary.rewritten += 1
        except IntegrityError:
            # A request stored the same token under the new key meanwhile: fold this row into it.
            _merge(model, row, new_form)
            summary.merged += 1


def _merge(model, row, new_form: str) -> None:
    if model is IdentifierToken:
        # A token has a row per type (token_once_per_type): the survivor is this row's type's.
        survivor = model.objects.get(token=new_form, identifier_type=row.identifier_type)
        for link in ReportIdentifier.objects.filter(token=row):
            if not ReportIdentifier.objects.filter(report_id=link.report_id, token=survivor).exists():
                ReportIdentifier.objects.filter(pk=link.pk).update(token=survivor)
        ReportIdentifier.objects.filter(token=row).delete()
        # Parcel events naming the row name the survivor instead (deleting the row would cascade
        # their links away, and the events would drop out of the seller's counts).
        events = ParcelEvent.tokens.through.objects
        for event_id in events.filter(identifiertoken=row).values_list("parcelevent_id", flat=True):
            events.get_or_create(parcelevent_id=event_id, identifiertoken=survivor)
        events.filter(identifiertoken=row).delete()
    model.objects.filter(pk=row.pk).delete()


def subject_access_tokens_rekey(*, keys: KeyRing | None = None) -> int:
    """Re-seal the listed person's challenges' and correction requests' tokens under the active storage
    key, as watch entries are; the number of rows rewritten."""
    keys = keys or token_storage_keys()
    rewritten = 0
    for model in (IdentifierChallenge, RectificationRequest):
        stale = model.objects.exclude(token__startswith=f"{keys.active_version}:").order_by("pk")
        for row in stale.only("pk", "token").iterator():
            with transaction.atomic():
                new_form = token_seal(token_unseal(row.token, keys=keys), keys=keys)
                rewritten += model.objects.filter(pk=row.pk, token=row.token).update(token=new_form)
    return rewritten
