"""The competent authority's approval of an order from a court outside the data's jurisdiction.

PIPL Art. 41 (sharing/disclosure/services/jurisdiction.py): such an order needs a third, named step
besides the two officers' approvals: the authority's name, its reference, the date of its decision and its document,
sealed in the restricted tier as the order's own document is. A disclosure officer records it, and
never one who approves the same order (nor may its recorder approve it): three people, each vouching
for one step, so that two colluding officers cannot push a foreign order through on a forged approval.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.errors import ConflictError
from sharing import locks
from sharing.disclosure.services.disclosure import refusing_lapsed, require_open
from sharing.disclosure.services.jurisdiction import (
    authority_approval_needed,
    authority_approval_of,
    data_jurisdictions,
)
from sharing.models import DisclosureAuthorityApproval, DisclosureRequest
from sharing.reports.services.reports import EvidenceFile
from sharing.restricted.services.restricted import restricted_store

AUTHORITY_DOCUMENT_FIELD = "authority_approval"


@dataclass(frozen=True)
class AuthorityApproval:
    authority: str
    reference: str
    decided_on: date
    document: EvidenceFile


def disclosure_authority_approval_record(
    *, request: DisclosureRequest, approval: AuthorityApproval, actor: Actor
) -> DisclosureRequest:
    """Record the competent authority's approval of an order from a court abroad, with its document."""
    return refusing_lapsed(
        _record,
        request=request,
        approval=approval,
        actor=actor,
        tag=AuditTag.DISCLOSURE_AUTHORITY_APPROVAL_RECORDED,
    )


@transaction.atomic
def _record(*, request: DisclosureRequest, approval: AuthorityApproval, actor: Actor) -> DisclosureRequest:
    require(actor, Capability.DISCLOSURE_APPROVE)
    request = locks.lock_disclosure(request.pk)
    require_open(request)
    if not authority_approval_needed(request):
        raise ConflictError(
            gettext(
                "The court is in the data's jurisdiction: no authority approval is needed for this order."
            )
        )
    if authority_approval_of(request) is not None:
        raise ConflictError(gettext("The authority's approval of this order is already recorded."))
    if request.approvals.filter(officer=actor.member).exists():
        raise ConflictError(
            gettext(
                "You approved this order; an officer who does not approve it records the authority's approval."
            )
        )
    request.authority_approval = DisclosureAuthorityApproval.objects.create(
        request=request,
        authority=approval.authority,
        reference=approval.reference,
        decided_on=approval.decided_on,
        recorded_by=actor.member,
    )
    document = approval.document
    restricted_store(
        owner_type="disclosure",
        owner_id=str(request.public_id),
        field=AUTHORITY_DOCUMENT_FIELD,
        payload=json.dumps({"name": document.name, "content_type": document.content_type}).encode()
        + b"\n"
        + document.content,
    )
    audit_record(
        actor=actor,
        tag=AuditTag.DISCLOSURE_AUTHORITY_APPROVAL_RECORDED,
        target=request,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=request.legal_basis_tag,
        details={
            "order_reference": request.order_reference,
            "authority": approval.authority,
            "authority_reference": approval.reference,
            "decided_on": approval.decided_on.isoformat(),
            "court_jurisdiction": request.court.jurisdiction,
            "data_jurisdictions": data_jurisdictions(request),
        },
    )
    return request
