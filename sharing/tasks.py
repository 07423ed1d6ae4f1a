"""Celery tasks of the sharing domain: ids in, a service call, idempotent."""
from celery import shared_task

from sharing.services.reports import reports_expire


@shared_task(name="sharing.tasks.reports_expire_task")
def reports_expire_task() -> int:
    """Close accepted reports past their expiry; running it twice changes nothing more."""
    return reports_expire()
