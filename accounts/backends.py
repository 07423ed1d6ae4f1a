"""Web login: Django's model backend, except that production refuses the public demo password."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag


class HubModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from accounts.demo import is_demo_password

        if settings.PRODUCTION and is_demo_password(password):
            audit_record_denied(
                actor=None,
                tag=AuditTag.AUTH_FAILED,
                target_type="user",
                reason="the demo password is refused in production",
                request_id=getattr(request, "request_id", ""),
            )
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
