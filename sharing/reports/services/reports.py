"""Submit, review, retract and expire reports; each a transaction with its audit row."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record, audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.errors import DomainError, ForbiddenError
from hubcore.identifiers.types import LINKING_TYPES
from sharing.checks.services.risk import OFFICIAL
from sharing.feed.services.publish import feed_changes
from sharing.locks import lock_report, lock_report_id
from sharing.models import Report, ReportIdentifier, ReportStatus
from sharing.reports.services.deadlines import DeadlinePassed, lapse_with_refusal, refusing_past_deadline
from sharing.reports.services.reputation import reporting_suspended, standing_of, suspension_reason_text
from sharing.reports.services.urgency import (
    Urgency,
    UrgentReportsExceeded,
    overdue_alert_resolve,
    urgency_allowed,
    urgency_apply,
    urgency_check,
)
from sharing.restricted.services.restricted import restricted_store
from sharing.subjects.services.subjects import subjects_relink
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    TokenisedIdentifier,
    identifiers_tokenise,
    stored_token_get_or_create,
)
from sharing.watchlists.services.watch_events import watch_changes


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ReportSubmission:
    identifiers: list[RawIdentifier | SuppliedToken]
    ip_type: str
    category: str
    verification_level: str
    statement: str
    evidence: list[EvidenceFile] = field(default_factory=list)
    # The right the notice rests on, and the reporter's written guarantee that it is authentic.
    right_registration_number: str = ""
    right_territory: str = ""
    right_holder: str = ""
    authenticity_guaranteed: bool = False
    # Only for a report naming a live-stream room (services/urgency.py).
    urgency: Urgency | None = None


def report_submit(*, submission: ReportSubmission, actor: Actor) -> Report:
    """Record a report: tokens in the shareable tier, raw values and evidence sealed. A report refused
    for the day's number of urgent reports is audited as refused, after its transaction rolled back."""
    try:
        return _report_submit(submission=submission, actor=actor)
    except UrgentReportsExceeded:
        audit_record_denied(
            actor=actor,
            tag=AuditTag.QUOTA_EXCEEDED,
            target_type="report",
            reason=f"urgent reports over {settings.HUB_URGENT_REPORTS_PER_DAY} per day",
        )
        raise


@transaction.atomic
def _report_submit(*, submission: ReportSubmission, actor: Actor) -> Report:
    require(actor, Capability.REPORT_SUBMIT)
    standing = standing_of(actor.organisation.pk)
    if reporting_suspended(standing):
        raise ForbiddenError(
            gettext("Reporting is suspended until %(until)s: %(reason)s")
            % {
                "until": f"{standing.reporting_suspended_until:%Y-%m-%d}",
                "reason": suspension_reason_text(standing),
            }
        )
    if not submission.authenticity_guaranteed:
        # The inputs ask for it too; this is the rule for every other caller of the service.
        raise DomainError(
            gettext("A notice needs the reporter's written guarantee that it is authentic."),
            fields={"authenticity_guaranteed": [gettext("Give the written guarantee of authenticity.")]},
        )
    tokenised = identifiers_tokenise(
        identifiers=submission.identifiers, default_country=actor.organisation.country
    )
    _require_linking_identifier(tokenised)
    urgency_check(submission.urgency, {i.type for i in tokenised})
    urgency_allowed(submission.urgency, actor=actor, standing=standing)
    report = Report(
        reporter_organisation=actor.organisation,
        submitted_by=actor.member,
        ip_type=submission.ip_type,
        category=submission.category,
        verification_level=submission.verification_level,
        evidence_count=len(submission.evidence),
        right_registration_number=submission.right_registration_number,
        right_territory=submission.right_territory.upper(),
        right_holder=submission.right_holder,
        authenticity_guaranteed_at=timezone.now(),
    )
    urgency_apply(report, submission.urgency)
    report.save()
    for item in tokenised:
        ReportIdentifier.objects.create(report=report, token=stored_token_get_or_create(item))
    _seal_restricted(report, submission)
    if standing.trusted_flagger:
        # Trusted flaggers skip the pending queue; the operator can still review afterwards.
        report.fast_tracked = True
        _accept(report, by=None, reason="trusted flagger: accepted without waiting for review")
        audit_record(
            actor=actor, tag=AuditTag.REPORT_FAST_TRACKED, target=report, data_class=DataClass.ADMINISTRATIVE
        )
    # The restricted fields are sealed write-only here; nobody reads them, so the
    # event is about the shareable tokens it created.
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_SUBMITTED,
        target=report,
        data_class=DataClass.SHAREABLE,
        details={
            "identifier_types": sorted({i.type for i in tokenised}),
            "evidence_count": len(submission.evidence),
            "authenticity_guaranteed": submission.authenticity_guaranteed,
            "urgent": report.live_urgent,
            "urgency_reason": report.urgency_reason,
        },
    )
    return report


WEAK_ONLY_MESSAGE = "A report needs at least one strong or medium identifier; names, addresses and device ids alone never match."


def _require_linking_identifier(tokenised: list[TokenisedIdentifier]) -> None:
    # A report of weak identifiers only could never reach a subject: refused rather than stored to no effect.
    if not any(item.type in LINKING_TYPES for item in tokenised):
        raise DomainError(
            gettext("The report names no strong or medium identifier."),
            fields={"identifiers": [WEAK_ONLY_MESSAGE]},
        )


def _seal_restricted(report: Report, submission: ReportSubmission) -> None:
    owner = {"owner_type": "report", "owner_id": str(report.public_id)}
    # Identifiers sent as tokens were never shown to the hub; only raw ones are sealed.
    raw = [
        {"type": i.type, "value": i.value, "country": i.country}
        for i in submission.identifiers
        if isinstance(i, RawIdentifier)
    ]
    restricted_store(**owner, field="identifiers", payload=json.dumps(raw).encode())
    restricted_store(**owner, field="statement", payload=submission.statement.encode())
    restricted_store(
        **owner,
        field="reporter",
        payload=json.dumps(
            {
                "organisation": str(report.reporter_organisation.public_id),
                "member": str(report.submitted_by.public_id),
            }
        ).encode(),
    )
    for index, evidence in enumerate(submission.evidence):
        meta = {
            "name": evidence.name,
            "content_type": evidence.content_type,
            "size": len(evidence.content),
            "sha256": hashlib.sha256(evidence.content).hexdigest(),
        }
        restricted_store(**owner, field=f"evidence:{index}:meta", payload=json.dumps(meta).encode())
        restricted_store(**owner, field=f"evidence:{index}", payload=evidence.content)


@transaction.atomic
def report_accept(*, report: Report, reason: str, actor: Actor, decision_verified: bool = False) -> Report:
    """Accept a pending report; its identifiers start to match and link into subjects.

    decision_verified: the reviewer checked the administrative decision or judgment
    the report claims (only then does that claim weigh as official; see risk.py).
    """
    require(actor, Capability.REPORT_REVIEW)
    report = lock_report(report)
    _accept(report, by=actor.member, reason=reason, decision_verified=decision_verified)
    overdue_alert_resolve(report)
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_ACCEPTED,
        target=report,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"decision_verified": report.decision_verified},
    )
    return report


def _accept(report: Report, *, by, reason: str, decision_verified: bool = False) -> None:
    expires_at = timezone.now() + timedelta(days=settings.HUB_REPORT_RETENTION_DAYS)
    with watch_changes(report, linking=True):
        report.accept(by=by, reason=reason, expires_at=expires_at)
        report.decision_verified = decision_verified and report.verification_level in OFFICIAL
        report.save()
        subjects_relink(report=report)


@transaction.atomic
def report_reject(*, report: Report, reason: str, actor: Actor) -> Report:
    """Reject a pending report with a reason; it never matches."""
    require(actor, Capability.REPORT_REVIEW)
    report = lock_report(report)
    report.reject(by=actor.member, reason=reason)
    report.save()
    overdue_alert_resolve(report)
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_REJECTED,
        target=report,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
    )
    return report


@transaction.atomic
def report_retract(*, report: Report, actor: Actor) -> Report:
    """The reporting organisation withdraws its report; it stops matching at once."""
    require(actor, Capability.REPORT_RETRACT)
    if report.reporter_organisation_id != actor.organisation.pk:
        raise ForbiddenError(gettext("Only the reporting organisation can retract a report."))
    report = lock_report(report)
    with watch_changes(report):
        was_accepted = report.status == ReportStatus.ACCEPTED
        report.retract()
        report.save()
        if was_accepted:
            subjects_relink(report=report)
    overdue_alert_resolve(report)
    audit_record(
        actor=actor, tag=AuditTag.REPORT_RETRACTED, target=report, data_class=DataClass.ADMINISTRATIVE
    )
    return report


def report_renew(*, report: Report, actor: Actor) -> Report:
    """The reporting organisation keeps an accepted report alive for another retention period, before it expires."""
    lapse = lapse_with_refusal(
        lambda: _report_expire(report_id=report.pk), actor=actor, tag=AuditTag.REPORT_RENEWED, target=report
    )
    return refusing_past_deadline(_renew, lapse=lapse, report=report, actor=actor)


@transaction.atomic
def _renew(*, report: Report, actor: Actor) -> Report:
    require(actor, Capability.REPORT_SUBMIT)
    if report.reporter_organisation_id != actor.organisation.pk:
        raise ForbiddenError(gettext("Only the reporting organisation can renew a report."))
    report = lock_report(report)
    if report.status == ReportStatus.ACCEPTED and report.expires_at and report.expires_at <= timezone.now():
        raise DeadlinePassed(
            f"The report expired at {report.expires_at:%Y-%m-%d %H:%M} UTC; submit a new report."
        )
    expires_at = timezone.now() + timedelta(days=settings.HUB_REPORT_RETENTION_DAYS)
    with feed_changes([report]):  # the listing shows when it expires
        report.renew(expires_at=expires_at)
        report.save()
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_RENEWED,
        target=report,
        data_class=DataClass.ADMINISTRATIVE,
        details={"expires_at": expires_at.isoformat()},
    )
    return report


def reports_expire(*, now=None) -> int:
    """Close accepted reports past their expiry, one transaction each; returns how many."""
    now = now or timezone.now()
    due = list(
        Report.objects.filter(status=ReportStatus.ACCEPTED, expires_at__lte=now).values_list("pk", flat=True)
    )
    for report_id in due:
        _report_expire(report_id=report_id)
    return len(due)


@transaction.atomic
def _report_expire(*, report_id: int) -> None:
    report = lock_report_id(report_id)
    if report.status != ReportStatus.ACCEPTED:
        return  # retracted meanwhile: nothing to do, and running twice is harmless
    with watch_changes(report):
        report.expire()
        report.save()
        subjects_relink(report=report)
    audit_record(
        actor=None,
        tag=AuditTag.REPORT_EXPIRED,
        target=report,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
    )


def evidence_decode(content_base64: str) -> bytes:
    return base64.b64decode(content_base64, validate=True)
