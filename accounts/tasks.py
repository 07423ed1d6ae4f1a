"""Celery tasks of the accounts app."""

from celery import shared_task

from accounts.admission.mail import applicant_mail_send
from accounts.audit.checkpoints import checkpoint_if_due


@shared_task(name="accounts.tasks.audit_checkpoint_task")
def audit_checkpoint_task() -> int | None:
    """Publish a signed checkpoint if one is due; returns its tree size."""
    checkpoint = checkpoint_if_due()
    return checkpoint.size if checkpoint else None


@shared_task(name="accounts.tasks.applicant_mail_send_task")
def applicant_mail_send_task(mail_id: int) -> bool:
    """Send one queued message to an applicant's contact (accounts/admission/mail.py)."""
    return applicant_mail_send(mail_id=mail_id)
