"""Mail to an applicant's contact, queued in the hub's outbox (accounts/mail) with the decision.

Links are built from HUB_PUBLIC_URL only, never the request's Host (a client can forge it). The
contact's address is personal data: the outbox names the application, never the address.
"""

from __future__ import annotations

from django.conf import settings

from accounts.admission.models import OrganisationApplication
from accounts.mail.models import OutboundMail
from accounts.mail.services import mail_queue


def public_link(path: str) -> str:
    """An absolute link into the hub, from its configured public address."""
    return f"{settings.HUB_PUBLIC_URL}{path}"


def applicant_tell(*, application: OrganisationApplication, subject: str, body: str) -> OutboundMail:
    """Queue a message to the application's contact; it leaves only if the caller's transaction commits."""
    return mail_queue(to=application.contact_email, subject=f"[Hub] {subject}", body=body, about=application)
