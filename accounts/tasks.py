"""Celery tasks of the accounts app."""

from celery import shared_task

from accounts.audit.checkpoints import checkpoint_if_due


@shared_task(name="accounts.tasks.audit_checkpoint_task")
def audit_checkpoint_task() -> int | None:
    """Publish a signed checkpoint if one is due; returns its tree size."""
    checkpoint = checkpoint_if_due()
    return checkpoint.size if checkpoint else None
