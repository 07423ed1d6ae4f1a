"""Celery tasks of watchlists: ids in, a service call, idempotent. Task names keep their
original "sharing.tasks.*" strings: the beat schedule and queued messages name tasks by them."""

from celery import shared_task

from sharing.watchlists.services.webhooks import webhook_deliver, webhooks_sweep


@shared_task(name="sharing.tasks.webhook_deliver_task", acks_late=True)
def webhook_deliver_task(outbox_id: int) -> str:
    """Try one webhook outbox row once; a duplicate or late run finds it leased or delivered and stops."""
    return webhook_deliver(outbox_id=outbox_id)


@shared_task(name="sharing.tasks.webhooks_sweep_task")
def webhooks_sweep_task() -> int:
    """Re-enqueue webhook events that are pending and due: the outbox, not the broker, is the record."""
    return webhooks_sweep()
