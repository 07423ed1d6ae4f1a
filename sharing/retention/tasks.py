"""Celery tasks of retention: a service call each, idempotent. Task names keep the "sharing.tasks.*"
form (the beat schedule and queued messages name tasks by them); restricted_payloads_destroy_task
moved here from sharing/restricted/ so that it respects legal holds, which sit above restricted."""

from celery import shared_task
from django.utils import timezone

from sharing.restricted.services.retention import restricted_payloads_destroy
from sharing.retention.services.purge import reports_needed, retention_purge


@shared_task(name="sharing.tasks.restricted_payloads_destroy_task")
def restricted_payloads_destroy_task() -> int:
    """Destroy restricted payloads of long-closed reports no order, hold or live dispute needs."""
    now = timezone.now()
    return restricted_payloads_destroy(now=now, also_held=reports_needed(now))


@shared_task(name="sharing.tasks.retention_purge_task")
def retention_purge_task() -> dict:
    """Delete report metadata, tokens, subjects and per-match records past their retention."""
    return vars(retention_purge())
