"""Re-key the token storage layer in place: no raw value needed, lookups keep working meanwhile."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from hub.keys import KeyRing, token_storage_keys
from sharing.crypto.tokens import token_seal, token_unseal
from sharing.models import Canary, IdentifierToken, ReportIdentifier


@dataclass
class RotationSummary:
    rewritten: int = 0
    merged: int = 0
    remaining: int = 0


def token_storage_rotate(*, batch_size: int = 1000, dry_run: bool = False, keys: KeyRing | None = None) -> RotationSummary:
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
    if not dry_run:
        from sharing.services.watchlists import watch_entries_rekey

        summary.rewritten += watch_entries_rekey(keys=keys)
    return summary


@transaction.atomic
def _rotate_batch(model, pks: list[int], keys: KeyRing, summary: RotationSummary) -> None:
    for row in model.objects.filter(pk__in=pks).order_by("pk").select_for_update():
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
    survivor = model.objects.get(token=new_form)
    if model is IdentifierToken:
        for link in ReportIdentifier.objects.filter(token=row):
            if not ReportIdentifier.objects.filter(report_id=link.report_id, token=survivor).exists():
                ReportIdentifier.objects.filter(pk=link.pk).update(token=survivor)
        ReportIdentifier.objects.filter(token=row).delete()
    model.objects.filter(pk=row.pk).delete()
