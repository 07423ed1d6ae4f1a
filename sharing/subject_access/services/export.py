"""The subject access export: what the shareable tier holds about the proven identifiers, as JSON.

The restricted tier is described, never disclosed: which kinds of record exist for these reports,
who may open them and on what basis, and the exemption the hub relies on for withholding them.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone

from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from sharing.checks.services.checks import DEFAULT_LEVEL_POLICY, check_result_for
from sharing.checks.services.parcels import parcel_counts_json, parcel_counts_suppressed, parcel_events_naming
from sharing.checks.services.suppression import suppressed_by_organisations
from sharing.models import (
    IdentifierToken,
    RectificationRequest,
    Report,
    ReportStatus,
    RestrictedRecord,
    SubjectMatch,
)
from sharing.models.reports import CLOSED_STATUSES
from sharing.subject_access.services.proof import ProvenIdentifier, tokens_lookup_forms
from sharing.subject_access.services.statement import disputes_of
from sharing.subjects.services.tokens import stored_tokens_of

EXPORT_FORMAT = "hub-subject-access-export/1"

RESTRICTED_TIER = {
    "what_exists": (
        "For each report: the identifiers exactly as the reporter submitted them, its statement and its "
        "evidence files; for each dispute: the documents each side filed. All are envelope-encrypted."
    ),
    "who_may_open": [
        "a court, under an order approved by two distinct hub officers (the restricted data in its scope only)",
        "the hub's operator reviewer, while a report is pending review or a dispute is undecided",
    ],
    "legal_basis": "court order; report review; dispute review",
    "exemption": (
        "The hub relies on the exemptions for the rights and freedoms of others and for the establishment, "
        "exercise or defence of legal claims (GDPR Art. 15(4) and Art. 23(1)(i)-(j); PIPL Art. 18 and "
        "Art. 45 read with Art. 13(3)): these records identify the reporters and hold their evidence for "
        "proceedings, so their content is not disclosed here. A court may order it disclosed."
    ),
}


def _reports_naming(token_ids: list[int]) -> list[Report]:
    """Every report naming the identifiers, whatever its status (the export is of all that is held)."""
    return list(
        Report.objects.filter(identifiers__token_id__in=token_ids)
        .select_related("reporter_organisation")
        .distinct()
        .order_by("pk")
    )


def _report_entry(report: Report) -> dict:
    """A report as the person may see it. One under review says only that: its reporter's kind and its
    category would tip off the person before a reviewer looked. A rejected one is kept, marked as not
    held against them."""
    if report.status == ReportStatus.PENDING:
        return {
            "id": str(report.public_id),
            "status": report.status,
            "under_review": True,
            "submitted_at": report.submitted_at.isoformat(),
        }
    return {
        "id": str(report.public_id),
        "status": report.status,
        "held_against_you": report.status not in CLOSED_STATUSES,
        "category": report.category,
        "ip_type": report.ip_type,
        "verification_level": report.verification_level,
        "reporter_kind": report.reporter_organisation.kind,
        "submitted_at": report.submitted_at.isoformat(),
        "expires_at": report.expires_at.isoformat() if report.expires_at else None,
        "disputed": report.disputed,
    }


def _identifier_entries(rows: list[IdentifierToken]) -> list[dict]:
    return [
        {
            "type": row.identifier_type,
            "first_seen": row.first_seen_at.isoformat(),
            "subject": str(row.subject.public_id) if row.subject else None,
            "accounts_linked_in_subject": (
                dict(Counter(row.subject.tokens.values_list("identifier_type", flat=True)))
                if row.subject
                else {}
            ),
        }
        for row in rows
    ]


def _dispute_entries(proven: list[ProvenIdentifier]) -> list[dict]:
    return [
        {
            "id": str(d.public_id),
            "filed_by": "you" if d.filed_by_subject else "a member platform",
            "status": d.status,
            "filed_at": d.filed_at.isoformat(),
            "response_due": d.response_due.isoformat(),
            "decided_at": d.decided_at.isoformat() if d.decided_at else None,
            "decision_reason": d.decision_reason,
        }
        for d in disputes_of(proven)
    ]


def _match_counts(rows: list[IdentifierToken]) -> dict:
    """Members' checks, bulk screenings and watches that showed the subject: counts, suppressed as every
    count of members' behaviour is, never which member."""
    matches = SubjectMatch.objects.filter(subject_id__in={r.subject_id for r in rows if r.subject_id})
    # Each source's count by the organisations behind that source, not behind all of them.
    by_source = list(matches.values_list("source", "organisation_id"))
    cells = suppressed_by_organisations(by_source, sorted({source for source, _ in by_source}))
    return {source: cell.as_json() for source, cell in cells.items()}


def _parcel_event_counts(rows: list[IdentifierToken]) -> dict:
    """Couriers' parcels naming the proven identifiers or their subject's, per kind: counted and
    suppressed as in a check's answer (sharing/checks/services/parcels.py), never an event or its courier."""
    parcels = parcel_events_naming(
        token_ids=[r.pk for r in rows], subject_ids={r.subject_id for r in rows if r.subject_id}
    )
    return parcel_counts_json(parcel_counts_suppressed([parcels]))


@transaction.atomic
def subject_export(*, proven: list[ProvenIdentifier], request_id: str = "") -> dict:
    """The export document, its download audited."""
    rows = stored_tokens_of(p.tokenised() for p in proven)
    on_file = {(row.identifier_type, row.bare_token) for row in rows}
    reports = _reports_naming([r.pk for r in rows])
    result = check_result_for(rows, policy=DEFAULT_LEVEL_POLICY, now=timezone.now())
    sealed = RestrictedRecord.objects.filter(
        owner_type="report", owner_id__in=[str(r.public_id) for r in reports]
    )
    document = {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "identifiers_proven": [{"type": p.type, "on_file": (p.type, p.token) in on_file} for p in proven],
        "identifiers_on_file": _identifier_entries(rows),
        "check_answer": {
            "level": result.level,
            "risk": result.risk,
            "categories": result.categories,
            "independent_reporters": result.reporting_organisations,
            "disputed": result.disputed,
        },
        "reports": [_report_entry(r) for r in reports],
        "disputes": _dispute_entries(proven),
        "matches_by_members": _match_counts(rows),
        "parcel_events_by_members": _parcel_event_counts(rows),
        "rectification_requests": [
            {"id": str(r.public_id), "created_at": r.created_at.isoformat()}
            for r in RectificationRequest.objects.filter(
                token__in=tokens_lookup_forms([p.token for p in proven])
            ).order_by("pk")
        ],
        "restricted_tier": {**RESTRICTED_TIER, "records_held": sealed.count()},
    }
    audit_record(
        actor=None,
        tag=AuditTag.SUBJECT_EXPORT_DOWNLOADED,
        target_type="subject_export",
        data_class=DataClass.SHAREABLE,
        legal_basis=LegalBasis.DATA_SUBJECT_RIGHTS,
        details={"identifier_types": sorted({p.type for p in proven}), "reports": len(reports)},
        request_id=request_id,
    )
    return document
