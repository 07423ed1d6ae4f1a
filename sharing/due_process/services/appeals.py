"""Appeals against rejected reports (DSA Art. 20 style internal redress).

A reporter may appeal a rejected report once. The appeal is decided by an operator
reviewer other than the one who rejected the report (the service refuses, and so does a
database constraint). Granted: the report is accepted by the appeal's reviewer and starts
to match. Refused: the rejection stands for good.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.errors import ConflictError, ForbiddenError
from hub.wording import status_word
from sharing.locks import lock_appeal_of, lock_report
from sharing.models import AppealStatus, Report, ReportAppeal, ReportStatus
from sharing.reports.services.notifications import notify
from sharing.reports.services.reports import _accept
from sharing.restricted.services.restricted import restricted_store


@transaction.atomic
def report_appeal(*, report: Report, grounds: str, actor: Actor) -> ReportAppeal:
    """The reporting organisation appeals its rejected report, once."""
    refusal = gettext("Only the reporting organisation appeals its report.")
    require(actor, Capability.REPORT_SUBMIT, message=refusal)
    if report.reporter_organisation_id != actor.organisation.pk:
        raise ForbiddenError(refusal)
    report = lock_report(report)
    if report.status != ReportStatus.REJECTED:
        raise ConflictError(
            gettext("Only a rejected report can be appealed; this one is %(status)s.")
            % {"status": status_word(ReportStatus, report.status)}
        )
    if report.payload_destroyed_at is not None:
        raise ConflictError(
            gettext(
                "The report's evidence was destroyed under the retention rule; it can no longer be appealed."
            )
        )
    if ReportAppeal.objects.filter(report=report).exists():
        raise ConflictError(gettext("This report was already appealed; a report is appealed once."))
    assert report.reviewed_by_id is not None, "report_reject always names the reviewer"
    try:
        with transaction.atomic():
            appeal = ReportAppeal.objects.create(
                report=report, filed_by_member=actor.member, rejected_by_id=report.reviewed_by_id
            )
    except IntegrityError:  # a concurrent appeal of the same report won
        raise ConflictError(gettext("This report was already appealed; a report is appealed once.")) from None
    # The grounds may name the seller: they live in the restricted tier like the report's statement.
    restricted_store(
        owner_type="report", owner_id=str(report.public_id), field="appeal_grounds", payload=grounds.encode()
    )
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_APPEALED,
        target=report,
        data_class=DataClass.ADMINISTRATIVE,
        details={"appeal": str(appeal.public_id)},
    )
    return appeal


@transaction.atomic
def report_appeal_decide(*, report: Report, granted: bool, reason: str, actor: Actor) -> ReportAppeal:
    """An operator reviewer who did not reject the report decides its appeal."""
    require(actor, Capability.REPORT_REVIEW)
    report = lock_report(report)
    appeal = lock_appeal_of(report)
    if appeal is None or appeal.status != AppealStatus.OPEN:
        raise ConflictError(gettext("This report has no open appeal."))
    if appeal.rejected_by_id == actor.member.pk:
        raise ForbiddenError(gettext("You rejected this report; another reviewer decides its appeal."))
    if granted:
        report.reopen_on_appeal()
        _accept(report, by=actor.member, reason=f"appeal granted: {reason}")
    appeal.status = AppealStatus.GRANTED if granted else AppealStatus.REFUSED
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = actor.member, timezone.now(), reason
    appeal.save()
    notify(
        organisation_id=report.reporter_organisation_id,
        kind="appeal.granted" if granted else "appeal.refused",
        data={"report": str(report.public_id), "reason": reason},
    )
    audit_record(
        actor=actor,
        tag=AuditTag.REPORT_APPEAL_DECIDED,
        target=report,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"appeal": str(appeal.public_id), "outcome": appeal.status},
    )
    return appeal
