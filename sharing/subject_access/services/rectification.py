"""A listed person says what is wrong: the reporters of the reports naming them and the operators hear.

The person's words are personal data: they are sealed in the restricted tier (owner type
"rectification"), opened only as restricted data is. The notices and the alert name the request by
its id and count its reports; they never carry the words.
"""

from __future__ import annotations

from django.db import transaction

from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import alert_raise, audit_record
from accounts.audit.tags import AuditTag
from sharing.models import RectificationRequest
from sharing.reports.services.notifications import notify
from sharing.restricted.services.restricted import restricted_store
from sharing.subject_access.services.proof import ProvenIdentifier
from sharing.subject_access.services.statement import proven_reports


@transaction.atomic
def rectification_request(
    *, proven: list[ProvenIdentifier], text: str, request_id: str = ""
) -> RectificationRequest:
    """Record the request, seal its words, tell each reporter and the operators; audited."""
    reports = proven_reports(proven)
    request = RectificationRequest.objects.create(identifier_type=proven[0].type, token=proven[0].token)
    request.reports.set(reports)
    restricted_store(
        owner_type="rectification", owner_id=str(request.public_id), field="statement", payload=text.encode()
    )
    for organisation_id in sorted({r.reporter_organisation_id for r in reports}):
        notify(
            organisation_id=organisation_id,
            kind="rectification.requested",
            data={"request": str(request.public_id), "reports": len(reports)},
        )
    alert_raise(
        kind="rectification_requested",
        organisation=None,
        dedupe_key=f"rectification:{request.public_id}",
        details={"request": str(request.public_id), "reports": len(reports)},
        severity="low",
    )
    audit_record(
        actor=None,
        tag=AuditTag.SUBJECT_RECTIFICATION_REQUESTED,
        target=request,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.DATA_SUBJECT_RIGHTS,
        details={"identifier_type": proven[0].type, "reports": len(reports)},
        request_id=request_id,
    )
    return request
