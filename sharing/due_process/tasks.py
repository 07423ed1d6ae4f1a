"""Celery tasks of due process: ids in, a service call, idempotent. Task names keep their
original "sharing.tasks.*" strings: the beat schedule and queued messages name tasks by them."""

from celery import shared_task

from sharing.due_process.services.disputes import disputes_lapse


@shared_task(name="sharing.tasks.disputes_lapse_task")
def disputes_lapse_task() -> int:
    """Suspend reports whose reporters did not answer a dispute in time."""
    return disputes_lapse()
