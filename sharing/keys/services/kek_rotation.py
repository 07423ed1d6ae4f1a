"""Rotate the restricted tier's key-encryption keys: re-wrap each record's data key, online.

Only the small wrapped data key changes; the payload ciphertext is never touched. Reads keep
working throughout, because `restricted_open` picks the KEK by the record's own version and
both the old and the new KEK stay loaded until the rotation has finished.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.admission.models import ApplicationDocument
from accounts.admission.services import document_aad
from accounts.locks import lock_application_documents
from hub.envelope import EnvelopeError, Sealed, associated_data, rewrap
from hub.keys import KeyRing, key_encryption_keys
from sharing import locks
from sharing.models import RestrictedRecord


@dataclass
class KekRotationSummary:
    """What a run did: records re-wrapped, and records still under an old KEK afterwards."""

    rewrapped: int = 0
    remaining: int = 0


def kek_rotate(
    *, batch_size: int = 1000, dry_run: bool = False, keys: KeyRing | None = None
) -> KekRotationSummary:
    """Re-wrap every record not under the active KEK, one locked batch per transaction."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    keys = keys or key_encryption_keys()
    stale = RestrictedRecord.objects.exclude(kek_version=keys.active_version)
    # Organisations' verification documents (accounts/admission) are sealed with the same KEKs.
    stale_documents = ApplicationDocument.objects.exclude(kek_version=keys.active_version)
    if dry_run:
        return KekRotationSummary(remaining=stale.count() + stale_documents.count())
    summary = KekRotationSummary()
    # Each batch commits on its own, so a rerun after a crash carries on from what is left.
    while pks := list(stale.order_by("pk").values_list("pk", flat=True)[:batch_size]):
        summary.rewrapped += kek_rotate_batch(pks, keys=keys)
    while pks := list(stale_documents.order_by("pk").values_list("pk", flat=True)[:batch_size]):
        summary.rewrapped += kek_rotate_documents_batch(pks, keys=keys)
    summary.remaining = stale.count() + stale_documents.count()
    return summary


@transaction.atomic
def kek_rotate_batch(pks: list[int], *, keys: KeyRing) -> int:
    """Lock these records, re-wrap those still under an old KEK, and return how many changed."""
    rows = locks.lock_restricted(
        RestrictedRecord.objects.filter(pk__in=pks).exclude(kek_version=keys.active_version)
    ).only("pk", "owner_type", "owner_id", "field", "data_class", "kek_version", "wrapped_key")
    rewrapped = 0
    for row in rows:
        sealed = _rewrap_row(row, keys)
        rewrapped += RestrictedRecord.objects.filter(pk=row.pk).update(
            wrapped_key=sealed.wrapped_key, kek_version=sealed.kek_version
        )
    return rewrapped


@transaction.atomic
def kek_rotate_documents_batch(pks: list[int], *, keys: KeyRing) -> int:
    """The same for application documents: lock, re-wrap those under an old KEK, count them."""
    rows = lock_application_documents(
        ApplicationDocument.objects.filter(pk__in=pks).exclude(kek_version=keys.active_version)
    ).only("pk", "public_id", "kek_version", "wrapped_key")
    rewrapped = 0
    for row in rows:
        stored = Sealed(kek_version=row.kek_version, wrapped_key=bytes(row.wrapped_key), ciphertext=b"")
        try:
            sealed = rewrap(stored, aad=document_aad(row), keys=keys)
        except EnvelopeError as exc:
            raise EnvelopeError(f"application {row} cannot be re-wrapped: {exc}") from None
        rewrapped += ApplicationDocument.objects.filter(pk=row.pk).update(
            wrapped_key=sealed.wrapped_key, kek_version=sealed.kek_version
        )
    return rewrapped


def _rewrap_row(row: RestrictedRecord, keys: KeyRing) -> Sealed:
    """The record's data key wrapped under the active KEK, bound to the record as it was sealed."""
    aad = associated_data(
        record_id=f"{row.owner_type}:{row.owner_id}", field=row.field, data_class=row.data_class
    )
    # rewrap needs only the wrapped data key, so the (possibly large) ciphertext is neither loaded
    # nor written back: the result's empty ciphertext must never be stored.
    stored = Sealed(kek_version=row.kek_version, wrapped_key=bytes(row.wrapped_key), ciphertext=b"")
    try:
        return rewrap(stored, aad=aad, keys=keys)
    except EnvelopeError as exc:
        # Its KEK is no longer loaded, or the record was moved or tampered with: stop, loudly.
        raise EnvelopeError(f"restricted record #{row.pk} ({row}) cannot be re-wrapped: {exc}") from None
