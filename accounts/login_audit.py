"""Web sign-ins are audited, and failed and locked-out web logins, like failed API keys (accounts/authentication.py).

Django sends user_login_failed for a wrong password and also when django-axes refuses a
locked-out username, on every login form (the hub's and the admin's). The username typed is
not recorded: it may be anything, even a password typed in the wrong field.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.two_factor.services import signed_in


@receiver(user_login_failed, dispatch_uid="accounts.login_audit.login_failed")
def login_failed_audit(sender, credentials, request=None, **kwargs) -> None:
    locked_out = bool(getattr(request, "axes_locked_out", False))
    audit_record_denied(
        actor=None,
        tag=AuditTag.AUTH_FAILED,
        target_type="web_login",
        reason="locked out after repeated failures" if locked_out else "wrong username or password",
        request_id=getattr(request, "request_id", ""),
    )


@receiver(user_logged_in, dispatch_uid="accounts.login_audit.signed_in")
def signed_in_audit(sender, request=None, user=None, **kwargs) -> None:
    """A password sign-in (the second factor, where a role needs one, is audited on its own)."""
    member = getattr(user, "member", None)
    if member is not None:
        signed_in(member=member, request_id=getattr(request, "request_id", ""))
