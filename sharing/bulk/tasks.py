"""Celery tasks of bulk: ids in, a service call, idempotent. Task names keep their
original "sharing.tasks.*" strings: the beat schedule and queued messages name tasks by them."""

import time

from celery import shared_task

from sharing.bulk.services.bulk import bulk_chunk_process, bulk_pause_after, bulk_sweep


@shared_task(name="sharing.tasks.bulk_chunk_task", acks_late=True)
def bulk_chunk_task(chunk_id: int) -> bool:
    """Check one chunk of a bulk job; a rerun after a crash writes nothing twice."""
    started = time.monotonic()
    finished = bulk_chunk_process(chunk_id=chunk_id)
    # Rest after the chunk (committed by now) so bulk work leaves the database room for single checks.
    time.sleep(bulk_pause_after(time.monotonic() - started))
    return finished


@shared_task(name="sharing.tasks.bulk_sweep_task")
def bulk_sweep_task() -> int:
    """Re-enqueue bulk chunks whose worker died (lease expired) and delete expired jobs."""
    return bulk_sweep()
