"""System checks: production refuses to start while the public demo credentials exist."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security)
def demo_credentials_absent_in_production(app_configs=None, **kwargs) -> list[Error]:
    """Fail `manage.py check` (and migrate, hence startup) in production while a demo credential works."""
    if not settings.PRODUCTION:
        return []
    from accounts.demo import REMOVAL_COMMAND, demo_credentials_found

    try:
        found = demo_credentials_found()
    except DatabaseError:
        return []  # no tables yet (a fresh database before migrate): there is nothing to refuse
    if not found:
        return []
    return [
        Error(
            f"HUB_ENV=production, but the public demo credentials exist: {found.describe()}.",
            hint=f"Run `{REMOVAL_COMMAND}` (it revokes the demo keys and disables the demo password).",
            id="hub.E001",
        )
    ]
