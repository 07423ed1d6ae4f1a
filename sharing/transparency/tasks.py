"""Celery task of the transparency report (its name keeps the "sharing.tasks.*" form of every
sharing task); idempotent: a quarter's report is published once."""

from celery import shared_task

from sharing.transparency.publication import transparency_reports_publish_due


@shared_task(name="sharing.tasks.transparency_reports_publish_task")
def transparency_reports_publish_task() -> int:
    """Publish the last ended quarter's report when it is not yet; running it again changes nothing."""
    return transparency_reports_publish_due()
