"""An operator reviewer reads a pending report's statement, right and evidence to decide it.

A restricted access without a court order, on one legal basis only ("report review") and only while
the report is pending: each record opened is its own restricted-class audit row, in the transaction
that decrypts it. Once the report is decided, only a court disclosure opens them again
(check_restricted_access holds every such row to these rules).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import LegalBasis
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.errors import ForbiddenError, NotFoundError
from sharing.locks import lock_report
from sharing.models import Report, ReportStatus, RestrictedRecord
from sharing.restricted.services.restricted import restricted_open_audited, restricted_records_of

_EVIDENCE_META = re.compile(r"^evidence:(\d+):meta$")


@dataclass(frozen=True)
class EvidenceMeta:
    index: int
    name: str
    content_type: str
    size: int
    sha256: str = ""


@dataclass(frozen=True)
class ReviewMaterial:
    statement: str
    # What the report says of the right (registration number, territory, right holder), when it says it.
    right: dict = field(default_factory=dict)
    evidence: list[EvidenceMeta] = field(default_factory=list)


def review_open(report: Report) -> bool:
    """Whether the report's review material may still be opened without a court order."""
    return report.status == ReportStatus.PENDING


@transaction.atomic
def report_review_material(*, report: Report, actor: Actor) -> ReviewMaterial:
    """Decrypt a pending report's statement, right and evidence list for its reviewer, each read audited."""
    report = _pending_locked(report, actor)
    wanted = Q(field__in=("statement", "right")) | Q(field__regex=_EVIDENCE_META.pattern)
    opened = {record.field: _open(record, report, actor) for record in _records(report).filter(wanted)}
    evidence = sorted(
        (
            _meta(int(match.group(1)), payload)
            for name, payload in opened.items()
            if (match := _EVIDENCE_META.match(name))
        ),
        key=lambda meta: meta.index,
    )
    sealed = json.loads(opened["right"]) if "right" in opened else {}
    # The right as the report form records it (plain columns of the report), else a sealed record.
    filed = {
        "registration_number": report.right_registration_number,
        "territory": report.right_territory,
        "right_holder": report.right_holder,
    }
    right = {k: v for k, v in filed.items() if v} or (sealed if isinstance(sealed, dict) else {})
    return ReviewMaterial(
        statement=opened.get("statement", b"").decode(),
        right=right,
        evidence=evidence,
    )


@transaction.atomic
def report_evidence_open(*, report: Report, index: int, actor: Actor) -> tuple[EvidenceMeta, bytes]:
    """Decrypt one evidence file of a pending report for its reviewer, its name and content each audited."""
    report = _pending_locked(report, actor)
    records = {
        r.field: r for r in _records(report).filter(field__in=(f"evidence:{index}:meta", f"evidence:{index}"))
    }
    if len(records) != 2:
        raise NotFoundError(gettext("No such evidence file."))
    meta = _meta(index, _open(records[f"evidence:{index}:meta"], report, actor))
    return meta, _open(records[f"evidence:{index}"], report, actor)


def _pending_locked(report: Report, actor: Actor) -> Report:
    require(actor, Capability.REPORT_REVIEW)
    # Locked before the status is read: a decision committing meanwhile comes before this read or after it.
    report = lock_report(report)
    if not review_open(report):
        raise ForbiddenError(
            gettext(
                "This report was decided (%(status)s): its statement and evidence open again only under a court order."
            )
            % {"status": report.get_status_display()}
        )
    return report


def _records(report: Report):
    return restricted_records_of(owner_type="report", owner_id=str(report.public_id))


def _open(record: RestrictedRecord, report: Report, actor: Actor) -> bytes:
    return restricted_open_audited(
        record=record, actor=actor, tag=AuditTag.REPORT_REVIEW_OPENED, legal_basis=LegalBasis.REPORT_REVIEW
    )


def _meta(index: int, payload: bytes) -> EvidenceMeta:
    data = json.loads(payload)
    return EvidenceMeta(
        index=index,
        name=str(data.get("name", "")),
        content_type=str(data.get("content_type", "application/octet-stream")),
        size=int(data.get("size", 0)),
        sha256=str(data.get("sha256", "")),
    )
