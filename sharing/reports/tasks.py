"""Celery tasks of reports: ids in, a service call, idempotent. Task names keep their
original "sharing.tasks.*" strings: the beat schedule and queued messages name tasks by them."""

from celery import shared_task

from sharing.reports.services.reports import reports_expire
from sharing.reports.services.reputation import reputations_refresh_all
from sharing.reports.services.urgency import urgent_reviews_overdue


@shared_task(name="sharing.tasks.reports_expire_task")
def reports_expire_task() -> int:
    """Close accepted reports past their expiry; running it twice changes nothing more."""
    return reports_expire()


@shared_task(name="sharing.tasks.reputations_refresh_task")
def reputations_refresh_task() -> int:
    return reputations_refresh_all()


@shared_task(name="sharing.tasks.urgent_review_overdue_task")
def urgent_review_overdue_task() -> int:
    """One alert per pending urgent live-room report past its review target; running it twice adds none."""
    return urgent_reviews_overdue()
