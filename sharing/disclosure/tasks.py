"""Celery tasks of disclosure: ids in, a service call, idempotent. Task names keep their
original "sharing.tasks.*" strings: the beat schedule and queued messages name tasks by them."""

from celery import shared_task

from sharing.disclosure.services.disclosure import disclosures_expire
from sharing.disclosure.services.disclosure_packages import disclosure_builds_sweep, disclosure_package_build


@shared_task(name="sharing.tasks.disclosure_package_build_task", acks_late=True)
def disclosure_package_build_task(request_id: int) -> bool:
    """Build an approved order's package; a rerun after a crash finds it built and stops."""
    return disclosure_package_build(request_id=request_id) is not None


@shared_task(name="sharing.tasks.disclosure_builds_sweep_task")
def disclosure_builds_sweep_task() -> int:
    """Re-send approved orders left unbuilt (a lost send, a dead worker); alert on those that keep failing."""
    return disclosure_builds_sweep()


@shared_task(name="sharing.tasks.disclosures_expire_task")
def disclosures_expire_task() -> int:
    return disclosures_expire()
