"""Celery tasks of restricted: ids in, a service call, idempotent. Task names keep their
original "sharing.tasks.*" strings: the beat schedule and queued messages name tasks by them."""

from celery import shared_task

from sharing.restricted.services.retention import restricted_payloads_destroy


@shared_task(name="sharing.tasks.restricted_payloads_destroy_task")
def restricted_payloads_destroy_task() -> int:
    """Destroy restricted payloads of long-closed reports not under a legal hold."""
    return restricted_payloads_destroy()
