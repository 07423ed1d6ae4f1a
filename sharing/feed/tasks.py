"""Celery tasks of the feed. Task names keep the "sharing.tasks.*" form: the beat schedule names them."""

from celery import shared_task

from sharing.feed.services.publish import feed_refresh


@shared_task(name="sharing.tasks.feed_refresh_task")
def feed_refresh_task() -> int:
    """Republish the feed's objects whose state changed without a report changing; idempotent."""
    return feed_refresh()
