"""An operator reviewer reads both sides' submissions in an undecided dispute to decide it.

The platform's grounds documents, and each reporter's answer note and documents, are sealed in the
restricted tier. While the dispute is undecided the reviewer opens them without a court order, on the
"dispute review" legal basis: each record opened is its own restricted-class audit row, in the
transaction that decrypts it. Once decided, only a court disclosure opens them again
(check_restricted_access holds every such row to these rules)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import LegalBasis
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from accounts.scoped import scoped_get
from hub.errors import ForbiddenError
from sharing import locks
from sharing.models import Dispute, DisputeStatus, RestrictedRecord
from sharing.restricted.services.restricted import restricted_open_audited, restricted_records_of

UNDECIDED = (DisputeStatus.OPEN, DisputeStatus.ANSWERED, DisputeStatus.LAPSED)
_META = re.compile(r"^(?P<side>grounds_evidence|answer_evidence:(?P<org>[^:]+)):(?P<index>\d+):meta$")
_NOTE = re.compile(r"^answer_note:(?P<org>[^:]+)$")
_CONTENT = r"^(grounds_evidence|answer_evidence:[^:]+):[0-9]+$"


@dataclass(frozen=True)
class SealedDocument:
    record: str  # the public id of the content's restricted record: what the page links to
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Answer:
    reporter_kind: str
    note: str
    documents: list[SealedDocument] = field(default_factory=list)


@dataclass(frozen=True)
class DisputeMaterial:
    grounds_documents: list[SealedDocument]
    answers: list[Answer]


def dispute_review_open(dispute: Dispute) -> bool:
    """Whether the dispute's submissions may still be opened without a court order."""
    return dispute.status in UNDECIDED


@transaction.atomic
def dispute_review_material(*, dispute: Dispute, actor: Actor) -> DisputeMaterial:
    """Decrypt the answer notes and the documents' names of an undecided dispute, each read audited."""
    dispute = _undecided_locked(dispute, actor)
    records = {record.field: record for record in _records(dispute)}
    opened = {
        name: _open(record, dispute, actor)
        for name, record in records.items()
        if _META.match(name) or _NOTE.match(name)
    }
    documents: dict[str, list[SealedDocument]] = {}
    for name in sorted(opened, key=_natural):
        if match := _META.match(name):
            side = match.group("org") or ""
            documents.setdefault(side, []).append(
                _document(records[name.removesuffix(":meta")], opened[name])
            )
    kinds = {
        str(row.report.reporter_organisation.public_id): row.report.reporter_organisation.get_kind_display()
        for row in dispute.covered.select_related("report__reporter_organisation")
    }
    answers = [
        Answer(kinds.get(org, ""), opened[f"answer_note:{org}"].decode(), documents.get(org, []))
        for org in sorted(kinds)
        if f"answer_note:{org}" in opened
    ]
    return DisputeMaterial(grounds_documents=documents.get("", []), answers=answers)


def dispute_document_open(*, dispute: Dispute, record_id, actor: Actor) -> tuple[SealedDocument, bytes]:
    """Decrypt one document of an undecided dispute, its name and content each audited.

    The document is looked up before the transaction: a probe for a record that is not one of this
    dispute's documents is audited by scoped_get, and that row must not roll back with the refusal."""
    require(actor, Capability.DISPUTE_DECIDE)
    content = scoped_get(
        actor=actor,
        queryset=_records(dispute).filter(field__regex=_CONTENT),
        public_id=record_id,
        tag=AuditTag.DISPUTE_REVIEW_OPENED,
        target_type="restrictedrecord",
        noun=gettext_noop("document"),
    )
    return _document_open(dispute=dispute, content=content, actor=actor)


@transaction.atomic
def _document_open(
    *, dispute: Dispute, content: RestrictedRecord, actor: Actor
) -> tuple[SealedDocument, bytes]:
    dispute = _undecided_locked(dispute, actor)
    meta = _records(dispute).get(field=f"{content.field}:meta")
    return _document(content, _open(meta, dispute, actor)), _open(content, dispute, actor)


def _undecided_locked(dispute: Dispute, actor: Actor) -> Dispute:
    require(actor, Capability.DISPUTE_DECIDE)
    # Locked before the status is read: a decision committing meanwhile comes before this read or after it.
    dispute = locks.lock_dispute(dispute.pk)
    if not dispute_review_open(dispute):
        raise ForbiddenError(
            gettext(
                "This dispute was decided (%(status)s): its submissions open again only under a court order."
            )
            % {"status": dispute.get_status_display()}
        )
    return dispute


def _records(dispute: Dispute):
    return restricted_records_of(owner_type="dispute", owner_id=str(dispute.public_id))


def _open(record: RestrictedRecord, dispute: Dispute, actor: Actor) -> bytes:
    return restricted_open_audited(
        record=record, actor=actor, tag=AuditTag.DISPUTE_REVIEW_OPENED, legal_basis=LegalBasis.DISPUTE_REVIEW
    )


def _document(content: RestrictedRecord, meta: bytes) -> SealedDocument:
    data = json.loads(meta)
    return SealedDocument(
        record=str(content.public_id),
        name=str(data.get("name", "")),
        content_type=str(data.get("content_type", "application/octet-stream")),
        size=int(data.get("size", 0)),
    )


def _natural(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in name.split(":"))
