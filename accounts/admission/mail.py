"""Mail to an applicant's contact, after the decision commits; links built from HUB_PUBLIC_URL only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from accounts.admission.models import OrganisationApplication

logger = logging.getLogger(__name__)


def public_link(path: str) -> str:
    """An absolute link into the hub: never the request's Host, which a client can forge."""
    return f"{settings.HUB_PUBLIC_URL}{path}"


def applicant_tell(*, application: OrganisationApplication, subject: str, body: str) -> None:
    """Mail the application's contact once the transaction commits (a rolled-back decision says nothing)."""
    recipient, reference = application.contact_email, application.public_id

    def send() -> None:
        try:
            send_mail(f"[Hub] {subject}", body, None, [recipient])
        except Exception:  # the decision stands; the operator can resend. No address in the log line.
            logger.exception("mail about application %s could not be sent", reference)

    transaction.on_commit(send)
