"""The statement of reasons for identifiers the person proved: the check's own answer, and why.

The level, risk, categories and the count of independent reporters are the check's (check_result_for
under the default policy, as watchers get it), never recomputed here; the person's own reports are the
live ones naming their identifiers, as a dispute would cover them. Never who reported, never evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from sharing.checks.services.checks import DEFAULT_LEVEL_POLICY, CheckResult, check_result_for
from sharing.due_process.services.clock import CoverageClock, coverage_clocks
from sharing.models import Dispute, Report
from sharing.reports.services.calendar import add_working_days
from sharing.subject_access.services.proof import ProvenIdentifier
from sharing.subjects.services.subjects import reports_counting
from sharing.subjects.services.tokens import stored_tokens_of


@dataclass(frozen=True)
class Statement:
    """What the person sees: the check's answer, their reports' public facts, disputes and the deadline."""

    result: CheckResult
    reports: list[Report]
    first_reported: datetime | None
    expires: datetime | None
    disputes: list[tuple[Dispute, list[CoverageClock]]]
    # The reporter's window an appeal filed today would open: working days and its due date.
    response_working_days: int
    response_due_if_filed_today: date

    @property
    def listed(self) -> bool:
        return self.result.level != "none"

    @property
    def live_appeal(self) -> bool:
        return any(
            d.filed_by_subject and d.status in ("open", "answered", "lapsed") for d, _ in self.disputes
        )


def proven_reports(proven: list[ProvenIdentifier]) -> list[Report]:
    """The live reports naming the proven identifiers themselves (what an appeal covers)."""
    rows = stored_tokens_of(p.tokenised() for p in proven)
    return list(
        reports_counting().filter(identifiers__token_id__in=[r.pk for r in rows]).distinct().order_by("pk")
    )


def disputes_of(proven: list[ProvenIdentifier]) -> list[Dispute]:
    """Every dispute covering a report that names the proven identifiers, whoever filed it, newest first."""
    rows = stored_tokens_of(p.tokenised() for p in proven)
    return list(
        Dispute.objects.filter(reports__identifiers__token_id__in=[r.pk for r in rows])
        .distinct()
        .order_by("-filed_at", "-id")
    )


@transaction.atomic
def statement_read(*, proven: list[ProvenIdentifier], request_id: str = "") -> Statement:
    """The statement of reasons, its read audited (shareable class, the person's own rights)."""
    now = timezone.now()
    matched = stored_tokens_of(p.tokenised() for p in proven)
    result = check_result_for(matched, policy=DEFAULT_LEVEL_POLICY, now=now)
    reports = proven_reports(proven)
    days = settings.HUB_DISPUTE_RESPONSE_WORKING_DAYS
    statement = Statement(
        result=result,
        reports=reports,
        first_reported=min((r.submitted_at for r in reports), default=None),
        expires=max((r.expires_at for r in reports if r.expires_at), default=None),
        disputes=[(d, coverage_clocks(dispute=d)) for d in disputes_of(proven)],
        response_working_days=days,
        response_due_if_filed_today=add_working_days(timezone.localdate(), days),
    )
    audit_record(
        actor=None,
        tag=AuditTag.SUBJECT_STATEMENT_READ,
        target_type="subject_statement",
        data_class=DataClass.SHAREABLE,
        legal_basis=LegalBasis.DATA_SUBJECT_RIGHTS,
        details={"identifier_types": sorted({p.type for p in proven}), "level": result.level},
        request_id=request_id,
    )
    return statement
