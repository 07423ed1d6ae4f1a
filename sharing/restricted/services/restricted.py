"""The restricted tier: seal payloads on arrival; open them only inside a court disclosure."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
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


def restricted_records_of(*, owner_type: str, owner_id: str) -> QuerySet[RestrictedRecord]:
    """The sealed records of one owner (a report, a dispute), in the order they were sealed."""
    return RestrictedRecord.objects.filter(owner_type=owner_type, owner_id=owner_id).order_by("pk")


def restricted_open_audited(
    *, record: RestrictedRecord, actor: Actor, tag: AuditTag, legal_basis: str
) -> bytes:
    """Write the record's restricted-class audit row, then decrypt it: the reviews' one way to read
    (call inside the transaction of the read, so the row and the read stand or fall together)."""
    audit_record(
        actor=actor,
        tag=tag,
        target=record,
        data_class=DataClass.RESTRICTED,
        legal_basis=legal_basis,
        details={record.owner_type: record.owner_id, "field": record.field},
    )
    return restricted_open(record)


def restricted_open(record: RestrictedRecord) -> bytes:
    """Decrypt one restricted record. Only the disclosure service and the reviews (through
    restricted_open_audited) call this, after writing the record's restricted-class audit row in
    the same transaction."""
    aad = associated_data(
        record_id=f"{record.owner_type}:{record.owner_id}", field=record.field, data_class=record.data_class
    )
    sealed = Sealed(
        kek_version=record.kek_version,
        wrapped_key=bytes(record.wrapped_key),
        ciphertext=bytes(record.ciphertext),
    )
    return open_sealed(sealed, aad=aad, keys=key_encryption_keys())
