"""Retention: closed reports lose their restricted payloads after a further period, unless a court
order holds them (an open or approved disclosure naming the report) or the caller names them as
held (sharing/retention/ passes legal holds, live disputes and pending appeals: it sits above)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from sharing.models import DisclosureRequest, DisclosureStatus, Report, RestrictedRecord
from sharing.models.reports import CLOSED_STATUSES

HOLDING = (
    DisclosureStatus.SUBMITTED,
    DisclosureStatus.UNDER_REVIEW,
    DisclosureStatus.APPROVED,
    DisclosureStatus.PACKAGE_READY,
)


def legally_held_report_ids() -> set[str]:
    """Reports an order still in progress names, directly or as resolved at build time."""
    held: set[str] = set()
    for scope, resolved in DisclosureRequest.objects.filter(status__in=HOLDING).values_list(
        "scope_reports", "resolved_reports"
    ):
        held.update(scope, resolved)
    return held


def restricted_payloads_destroy(*, now=None, also_held: set[int] | frozenset[int] = frozenset()) -> int:
    """Destroy the restricted payloads of reports closed longer than the retention period, except
    those of reports an order holds or whose primary keys are in `also_held`."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.HUB_RESTRICTED_RETENTION_DAYS)
    due = Report.objects.filter(
        status__in=CLOSED_STATUSES, closed_at__lt=cutoff, payload_destroyed_at__isnull=True
    )
    held = legally_held_report_ids()
    destroyed = 0
    for report in due.exclude(public_id__in=held).exclude(pk__in=also_held).iterator():
        destroyed += _destroy(report, now)
    return destroyed


@transaction.atomic
def _destroy(report: Report, now) -> int:
    deleted, _ = RestrictedRecord.objects.filter(owner_type="report", owner_id=str(report.public_id)).delete()
    Report.objects.filter(pk=report.pk).update(payload_destroyed_at=now)
    audit_record(
        actor=None,
        tag=AuditTag.RESTRICTED_DESTROYED,
        target=report,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"records": deleted},
    )
    return 1
