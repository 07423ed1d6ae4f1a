"""Store restricted payloads, envelope-encrypted; nothing here ever decrypts."""
from __future__ import annotations

from hub.keys import key_encryption_keys
from sharing.crypto.envelope import associated_data, seal
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
