"""Celery tasks of the sharing domain: ids in, a service call, idempotent."""
from celery import shared_task

from sharing.services.disclosure import disclosures_expire
from sharing.services.disclosure_packages import disclosure_package_build
from sharing.services.reports import reports_expire


@shared_task(name="sharing.tasks.reports_expire_task")
def reports_expire_task() -> int:
    """Close accepted reports past their expiry; running it twice changes nothing more."""
    return reports_expire()


@shared_task(name="sharing.tasks.disclosure_package_build_task", acks_late=True)
def disclosure_package_build_task(request_id: int) -> bool:
    """Build an approved order's package; a rerun after a crash finds it built and stops."""
    return disclosure_package_build(request_id=request_id) is not None


@shared_task(name="sharing.tasks.disclosures_expire_task")
def disclosures_expire_task() -> int:
    return disclosures_expire()
