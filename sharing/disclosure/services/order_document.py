"""The court's order document, opened in the browser by the officers who decide the order and by
the court that filed it.

The document is sealed in the restricted tier when the order is filed. Opening it is a
restricted-class access whose legal basis is the order itself: officers must read an order before
approving it, so check_restricted_access accepts this one access before the two approvals
(sharing/disclosure/services/restricted_access.py says so where it checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from sharing.models import DisclosureRequest, RestrictedRecord
from sharing.restricted.services.restricted import restricted_open

ORDER_DOCUMENT_FIELD = "order_document"


@dataclass(frozen=True)
class OrderDocument:
    name: str
    content_type: str
    content: bytes

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf" and self.content.startswith(b"%PDF")

    @property
    def media_type(self) -> str:
        """A PDF opens in the browser; anything else is only ever a download (never rendered as the hub's page)."""
        return "application/pdf" if self.is_pdf else "application/octet-stream"

    def disposition(self, order_id) -> str:
        if self.is_pdf:
            return f'inline; filename="order-{order_id}.pdf"'
        return f'attachment; filename="order-{order_id}"'


@transaction.atomic
def disclosure_order_document_open(*, request: DisclosureRequest, actor: Actor) -> OrderDocument:
    """Decrypt the order's document for an officer or its court; the access is audited first."""
    require(actor, Capability.DISCLOSURE_READ)
    # Every order has its document: disclosure_request_submit seals it in the order's own transaction.
    record = RestrictedRecord.objects.get(
        owner_type="disclosure", owner_id=str(request.public_id), field=ORDER_DOCUMENT_FIELD
    )
    audit_record(
        actor=actor,
        tag=AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED,
        target=request,
        data_class=DataClass.RESTRICTED,
        legal_basis=request.legal_basis_tag,
        details={"order_reference": request.order_reference, "record": str(record.public_id)},
    )
    header, _, content = restricted_open(record).partition(b"\n")
    described = json.loads(header)
    return OrderDocument(described.get("name", "order"), described.get("content_type", ""), content)
