"""A listed person says what is wrong: the reporters of the reports naming them and the operators hear.

The person's words are personal data: they are sealed in the restricted tier (owner type
"rectification"), opened only as restricted data is. The notices and the alert name the request by
its id and count its reports; they never carry the words.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.translation import gettext

from accounts.audit.models import DataClass, LegalBasis, Outcome
from accounts.audit.services import alert_raise, audit_record
from accounts.audit.tags import AuditTag
from hub.errors import TooManyRequestsError
from sharing.models import RectificationRequest
from sharing.reports.services.notifications import notify
from sharing.restricted.services.restricted import restricted_store
from sharing.subject_access.services.proof import ProvenIdentifier, token_sealed
from sharing.subject_access.services.statement import proven_reports
from sharing.subject_access.services.throttle import RectificationsPerToken, throttled


class RectificationTooSoon(TooManyRequestsError):
    def __init__(self, wait: int) -> None:
        super().__init__(
            gettext(
                "You already sent a correction request for this identifier today; the operators have it. "
                "You may send another in %(wait)s s."
            )
            % {"wait": wait}
        )
        self.wait = self.retry_after = wait


def _identifier_key(proven: ProvenIdentifier) -> str:
    """One key per identifier for the operators' alert, opaque: a hash of the token's storage form."""
    sealed = token_sealed(proven.token)
    return hashlib.sha256(sealed.encode()).hexdigest()[:32]


def _refuse_too_soon(proven: list[ProvenIdentifier], request_id: str) -> None:
    """At most one request per proven identifier per HUB_SUBJECT_RECTIFICATION_RATE_TOKEN (a day)."""
    wait = throttled([RectificationsPerToken(p.token) for p in proven])
    if not wait:
        return
    with transaction.atomic():
        audit_record(
            actor=None,
            tag=AuditTag.SUBJECT_RECTIFICATION_REQUESTED,
            target_type="rectificationrequest",
            data_class=DataClass.ADMINISTRATIVE,
            legal_basis=LegalBasis.DATA_SUBJECT_RIGHTS,
            outcome=Outcome.DENIED,
            details={"identifier_type": proven[0].type, "reason": "rate limited"},
            request_id=request_id,
        )
    raise RectificationTooSoon(wait)


def rectification_request(
    *, proven: list[ProvenIdentifier], text: str, request_id: str = ""
) -> RectificationRequest:
    """Record the request, seal its words, tell each reporter and the operators; audited. At most one a
    day per proven identifier (RectificationTooSoon); the operators' alert is one per identifier."""
    _refuse_too_soon(proven, request_id)
    return _rectification_create(proven=proven, text=text, request_id=request_id)


@transaction.atomic
def _rectification_create(
    *, proven: list[ProvenIdentifier], text: str, request_id: str
) -> RectificationRequest:
    reports = proven_reports(proven)
    request = RectificationRequest.objects.create(
        identifier_type=proven[0].type, token=token_sealed(proven[0].token)
    )
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
        dedupe_key=f"rectification:{_identifier_key(proven[0])}",
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
