"""Audit details retention: after HUB_AUDIT_DETAILS_RETENTION_DAYS an event's `details` are emptied.

The row keeps every column (actor, organisation, role, action, object, data class, legal basis,
outcome, request ids) and its leaf hash, so the Merkle log, its checkpoints and every inclusion
and consistency proof stay as they were. What is lost: the leaf can no longer be recomputed from
the row (its details were part of it), so verification takes a purged row's stored leaf hash
(accounts/audit/log.py); a change to such a row's other columns is refused by the database trigger
(accounts/migrations/0012_audit_retention.py) but no longer caught by recomputation.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit.models import AuditEvent, DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag

logger = logging.getLogger(__name__)


def audit_details_due(now: datetime):
    """Events older than the retention period whose details are still there."""
    cutoff = now - timedelta(days=settings.HUB_AUDIT_DETAILS_RETENTION_DAYS)
    return AuditEvent.objects.filter(occurred_at__lt=cutoff, details_purged_at__isnull=True).exclude(
        details={}
    )


def audit_details_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Empty the details of every event past the retention period, a batch per transaction; audited."""
    now = now or timezone.now()
    size = batch_size or settings.HUB_RETENTION_BATCH
    purged = 0
    while pks := list(audit_details_due(now).order_by("pk").values_list("pk", flat=True)[:size]):
        with transaction.atomic():
            batch = audit_details_due(now).filter(pk__in=pks).update(details={}, details_purged_at=now)
        purged += batch
        if not batch:
            break
    logger.info("audit details purge: rows=%s", purged)
    with transaction.atomic():
        audit_record(
            actor=None,
            tag=AuditTag.AUDIT_DETAILS_PURGED,
            data_class=DataClass.ADMINISTRATIVE,
            target_type="audit_details",
            legal_basis=LegalBasis.OPERATOR_DUTY,
            details={"rows": purged, "retention_days": settings.HUB_AUDIT_DETAILS_RETENTION_DAYS},
        )
    return purged
