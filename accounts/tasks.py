"""Celery tasks of the accounts app."""

from celery import shared_task

from accounts.audit.checkpoints import checkpoint_if_due
from accounts.audit.retention import audit_details_purge
from accounts.audit.sequencer import sequence_all_staged


@shared_task(name="accounts.tasks.audit_checkpoint_task")
def audit_checkpoint_task() -> int | None:
    """Publish a signed checkpoint if one is due; returns its tree size."""
    checkpoint = checkpoint_if_due()
    return checkpoint.size if checkpoint else None


@shared_task(name="accounts.tasks.audit_sequence_task")
def audit_sequence_task() -> int:
    """Place the staged audit events in the log (batched sequencing); returns how many."""
    return sequence_all_staged()


@shared_task(name="accounts.tasks.audit_details_purge_task")
def audit_details_purge_task() -> int:
    """Empty the details of audit events past HUB_AUDIT_DETAILS_RETENTION_DAYS; returns the rows."""
    return audit_details_purge()
