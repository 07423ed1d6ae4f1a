"""The restricted-tier invariant, checked over the whole audit log.

Every restricted-class audit event must rest on a court order that (1) exists,
(2) was approved by two distinct disclosure officers, (3) was still valid when the
event happened, and (4) covered what was touched: a decrypted record must belong to
a report the order resolved to and be a field the order names; a package event must
be about the order itself.

Dual approval is only as strong as "a credential belongs to one person": a restricted
event or a disclosure approval made with an API key that its own member did not create
(an admin minting a key for an officer, say) breaks the invariant too, and so does every
restricted event under an order approved that way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.audit.models import AuditEvent, DataClass, LegalBasis, Outcome
from accounts.audit.tags import AuditTag
from accounts.models import ApiKey
from accounts.roles import OrganisationKind, Role
from sharing.disclosure.services.disclosure import fields_in_scope
from sharing.models import DisclosureRequest, RestrictedRecord

ORDER_PREFIX = "court_order:"


@dataclass(frozen=True)
class Violation:
    event_id: int
    action: str
    reason: str


def events_checked() -> QuerySet[AuditEvent]:
    """Restricted-class events and disclosure approvals: what the invariant speaks about."""
    return AuditEvent.objects.filter(
        Q(data_class=DataClass.RESTRICTED) | Q(action=AuditTag.DISCLOSURE_APPROVED)
    )


def restricted_access_violations() -> list[Violation]:
    events = (
        events_checked().select_related("actor_api_key__member", "actor_api_key__created_by").order_by("id")
    )
    return [Violation(e.pk, e.action, reason) for e in events.iterator() if (reason := _violation(e))]


def _violation(event: AuditEvent) -> str | None:
    if reason := _made_with_borrowed_key(event):
        return reason
    if event.data_class != DataClass.RESTRICTED:
        return None
    if event.legal_basis == LegalBasis.ADMISSION_REVIEW:
        return _admission_review_violation(event)
    if event.action == AuditTag.DISCLOSURE_ORDER_DOCUMENT_OPENED:
        return _order_document_violation(event)
    if event.legal_basis == LegalBasis.REPORT_REVIEW:
        return _report_review_violation(event)
    if event.legal_basis == LegalBasis.DISPUTE_REVIEW:
        return _dispute_review_violation(event)
    request = _order_of(event)
    if request is None:
        return "no court order named as its legal basis"
    if request.approvals.values("officer").distinct().count() < 2:
        return f"order {request.public_id} lacks two distinct officers' approvals"
    if _approved_with_borrowed_key(request):
        return f"order {request.public_id} was approved with an API key its officer did not create"
    if (
        not request.approved_at
        or not request.approval_expires_at
        or not (request.approved_at <= event.occurred_at <= request.approval_expires_at)
    ):
        return f"order {request.public_id} was not approved and valid at the time"
    return _out_of_scope(event, request)


def _admission_review_violation(event: AuditEvent) -> str | None:
    """An applicant's own documents, read by an operator admin to decide the application: no order needed."""
    reviewer = event.organisation is not None and event.organisation.kind == OrganisationKind.OPERATOR
    if event.action == AuditTag.APPLICATION_DOCUMENT_OPENED and reviewer and event.role == Role.ADMIN:
        return None
    return "admission review is a legal basis only for operator admins opening application documents"


def _order_document_violation(event: AuditEvent) -> str | None:
    """An order's own document, read by an officer deciding it or by the court that filed it: the
    order is its legal basis before any approval, since officers must read it to approve it."""
    request = _order_of(event)
    if request is None:
        return "no court order named as its legal basis"
    if event.object_type != "disclosurerequest" or event.object_id != str(request.public_id):
        return f"order document read of another object under order {request.public_id}"
    organisation = event.organisation
    if (
        event.role == Role.DISCLOSURE_OFFICER
        and organisation
        and organisation.kind == OrganisationKind.OPERATOR
    ):
        return None
    if event.organisation_id == request.court_id:
        return None
    return f"order {request.public_id}'s document read by neither an officer nor its court"


# What a reviewer reads to decide a report; never the raw identifiers, the reporter or an appeal's grounds.
REVIEW_FIELDS = ("statement", "right")
REVIEW_FIELD_PREFIX = "evidence:"
_DECISIONS = (
    AuditTag.REPORT_ACCEPTED,
    AuditTag.REPORT_REJECTED,
    AuditTag.REPORT_RETRACTED,
    AuditTag.REPORT_FAST_TRACKED,
)


def _report_review_violation(event: AuditEvent) -> str | None:
    """A pending report's statement and evidence, read by an operator reviewer to decide it: no order needed."""
    record = _reviewed_record(event, AuditTag.REPORT_REVIEW_OPENED, "report")
    if isinstance(record, str):
        return record
    if record.field not in REVIEW_FIELDS and not record.field.startswith(REVIEW_FIELD_PREFIX):
        return f"field {record.field!r} is not review material"
    return _decided_before(event, "report", record.owner_id, _DECISIONS)


DISPUTE_REVIEW_PREFIXES = ("answer_note:", "answer_evidence:", "grounds_evidence:")
_DISPUTE_DECISIONS = (AuditTag.DISPUTE_DECIDED, AuditTag.DISPUTE_DECIDED_URGENTLY)


def _dispute_review_violation(event: AuditEvent) -> str | None:
    """Both sides' submissions in an undecided dispute, read by an operator reviewer to decide it."""
    record = _reviewed_record(event, AuditTag.DISPUTE_REVIEW_OPENED, "dispute")
    if isinstance(record, str):
        return record
    if not record.field.startswith(DISPUTE_REVIEW_PREFIXES):
        return f"field {record.field!r} is not review material"
    return _decided_before(event, "dispute", record.owner_id, _DISPUTE_DECISIONS)


def _reviewed_record(event: AuditEvent, action: str, owner_type: str) -> RestrictedRecord | str:
    """The record a review event opened, or why the event is no review at all."""
    reviewer = event.organisation is not None and event.organisation.kind == OrganisationKind.OPERATOR
    if event.action != action or not reviewer or event.role != Role.REVIEWER:
        return f"{event.legal_basis} is a legal basis only for operator reviewers opening a {owner_type}'s review material"
    record = RestrictedRecord.objects.filter(public_id=event.object_id).first()
    if event.object_type != "restrictedrecord" or record is None or record.owner_type != owner_type:
        return f"{event.legal_basis} opened something other than a {owner_type}'s restricted record"
    return record


def _decided_before(event: AuditEvent, object_type: str, object_id: str, decisions: tuple) -> str | None:
    decided = AuditEvent.objects.filter(
        object_type=object_type, object_id=object_id, action__in=decisions, seq__lt=event.seq
    )
    if decided.exists():
        return f"{object_type} {object_id} was already decided: only a court order opens it"
    return None


def _made_with_borrowed_key(event: AuditEvent) -> str | None:
    api_key = event.actor_api_key
    if api_key is None or (creator := _other_creator_of(api_key)) is None:
        return None
    return f"made with API key {api_key.prefix} of member {api_key.member.public_id}, created by {creator}"


def _approved_with_borrowed_key(request: DisclosureRequest) -> bool:
    approvals = AuditEvent.objects.filter(
        action=AuditTag.DISCLOSURE_APPROVED, object_id=str(request.public_id), actor_api_key__isnull=False
    ).select_related("actor_api_key")
    return any(_other_creator_of(e.actor_api_key) for e in approvals if e.actor_api_key is not None)


def _other_creator_of(api_key: ApiKey) -> str | None:
    """Who other than its member created the key: its recorded creator, or (should that row have been
    edited) the member who issued it according to the tamper-evident log; None when it is the member's own."""
    issuers = (
        AuditEvent.objects.filter(
            action=AuditTag.API_KEY_ISSUED,
            object_id=str(api_key.public_id),
            outcome=Outcome.ALLOWED,
            actor_member__isnull=False,
        )
        .exclude(actor_member_id=api_key.member_id)
        .select_related("actor_member")
    )
    if (issuer := issuers.first()) is not None and issuer.actor_member is not None:
        return f"member {issuer.actor_member.public_id}"
    if api_key.minted_by_its_member:
        return None
    return f"member {api_key.created_by.public_id}" if api_key.created_by else "an unknown creator"


def _order_of(event: AuditEvent) -> DisclosureRequest | None:
    if not event.legal_basis.startswith(ORDER_PREFIX):
        return None
    try:
        return DisclosureRequest.objects.get(public_id=uuid.UUID(event.legal_basis[len(ORDER_PREFIX) :]))
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
