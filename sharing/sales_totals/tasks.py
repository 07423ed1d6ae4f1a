"""Celery tasks of sales totals: a service call, idempotent; named "sharing.tasks.*" like every sharing task."""

from celery import shared_task

from sharing.sales_totals.services.sales_totals import sales_totals_close_due


@shared_task(name="sharing.tasks.sales_totals_close_task")
def sales_totals_close_task() -> int:
    """Release or refuse every request past its deadline; a rerun finds them closed and does nothing."""
    return sales_totals_close_due()
