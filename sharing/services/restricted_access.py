"""The restricted-tier invariant, checked over the whole audit log.

Every restricted-class audit event must rest on a court order that (1) exists,
(2) was approved by two distinct disclosure officers, (3) was still valid when the
event happened, and (4) covered what was touched: a decrypted record must belong to
a report the order resolved to and be a field the order names; a package event must
be about the order itself.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from accounts.audit.models import AuditEvent, DataClass
from sharing.models import DisclosureRequest, RestrictedRecord
from sharing.services.disclosure import fields_in_scope

ORDER_PREFIX = "court_order:"


@dataclass(frozen=True)
class Violation:
    event_id: int
    action: str
    reason: str


def restricted_access_violations() -> list[Violation]:
    events = AuditEvent.objects.filter(data_class=DataClass.RESTRICTED).order_by("id")
    return [Violation(e.pk, e.action, reason) for e in events.iterator() if (reason := _violation(e))]


def _violation(event: AuditEvent) -> str | None:
    request = _order_of(event)
    if request is None:
        return "no court order named as its legal basis"
    if request.approvals.values("officer").distinct().count() < 2:
        return f"order {request.public_id} lacks two distinct officers' approvals"
    if not request.approved_at or not (request.approved_at <= event.occurred_at <= request.approval_expires_at):
        return f"order {request.public_id} was not approved and valid at the time"
    return _out_of_scope(event, request)


def _order_of(event: AuditEvent) -> DisclosureRequest | None:
    if not event.legal_basis.startswith(ORDER_PREFIX):
        return None
    try:
        return DisclosureRequest.objects.get(public_id=uuid.UUID(event.legal_basis[len(ORDER_PREFIX):]))
    except (ValueError, DisclosureRequest.DoesNotExist):
        return None


def _out_of_scope(event: AuditEvent, request: DisclosureRequest) -> str | None:
    if event.object_type == "disclosurerequest":
        return None if event.object_id == str(request.public_id) else "package event of another order"
    if event.object_type != "restrictedrecord":
        return f"restricted access to an unexpected object type {event.object_type!r}"
    record = RestrictedRecord.objects.filter(public_id=event.object_id).first()
    if record is None:
        return "the record it names does not exist"
    if record.owner_type != "report" or record.owner_id not in request.resolved_reports:
        return f"record of {record.owner_type} {record.owner_id} is outside order {request.public_id}"
    if not fields_in_scope(request, record.field):
        return f"field {record.field!r} is outside order {request.public_id}"
    return None
