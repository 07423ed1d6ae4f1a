"""Celery tasks of checks: ids in, a service call, idempotent. Task names keep their
original "sharing.tasks.*" strings: the beat schedule and queued messages name tasks by them."""

from celery import shared_task
from django.utils import timezone

from sharing.checks.services.enumeration import sweep_records_prune


@shared_task(name="sharing.tasks.sweep_records_prune_task")
def sweep_records_prune_task() -> int:
    """Delete sweep-detection records older than the rules look back (bulk files add millions)."""
    return sweep_records_prune(now=timezone.now())
