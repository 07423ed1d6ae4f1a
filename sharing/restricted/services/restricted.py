"""The restricted tier: seal payloads on arrival; open them only inside a court disclosure."""

from __future__ import annotations

from hub.envelope import Sealed, associated_data, open_sealed, seal
from hub.keys import key_encryption_keys
from sharing.models import RestrictedRecord

RESTRICTED = "restricted"


def restricted_store(*, owner_type: str, owner_id: str, field: str, payload: bytes) -> RestrictedRecord:
    """Seal one field of an owner (a report, say) into the restricted tier."""
    aad = associated_data(record_id=f"{owner_type}:{owner_id}", field=field, data_class=RESTRICTED)
    sealed = seal(payload, aad=aad, keys=key_encryption_keys())
    return RestrictedRecord.objects.create(
        owner_type=owner_type,
        owner_id=owner_id,
        field=field,
        data_class=RESTRICTED,
        kek_version=sealed.kek_version,
        wrapped_key=sealed.wrapped_key,
        ciphertext=sealed.ciphertext,
    )


def restricted_open(record: RestrictedRecord) -> bytes:
    """Decrypt one restricted record. Only the disclosure service and a pending report's review
    (sharing/reports/services/review.py) call this, after writing the record's restricted-class
    audit row in the same transaction."""
    aad = associated_data(
        record_id=f"{record.owner_type}:{record.owner_id}", field=record.field, data_class=record.data_class
    )
    sealed = Sealed(
        kek_version=record.kek_version,
        wrapped_key=bytes(record.wrapped_key),
        ciphertext=bytes(record.ciphertext),
    )
    return open_sealed(sealed, aad=aad, keys=key_encryption_keys())
