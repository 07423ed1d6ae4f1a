"""System checks: production refuses to start while the public demo credentials exist; a hub with a
read replica refuses to start without a cache shared by its processes."""

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


# Caches that live in one process (or nowhere): what one process remembers another never reads.
_UNSHARED_CACHES = frozenset(
    {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}
)


@register(Tags.caches, Tags.database)
def replica_cache_shared(app_configs=None, **kwargs) -> list[Error]:
    """With a replica, read-your-writes (hub/replica_reads.py) keeps each organisation's last write
    position in the default cache: a process-local cache would let a member's next request, served
    by another process, read the replica before it replayed the member's own write."""
    if not settings.HUB_REPLICA_ALIAS:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in _UNSHARED_CACHES:
        return []
    return [
        Error(
            f"DATABASE_REPLICA_URL is set, but the default cache ({backend.rsplit('.', 1)[-1]}) is not shared "
            "by the hub's processes: a member could read the replica before its own write reached it.",
            hint="Set HUB_CACHE_URL (redis://…), or unset DATABASE_REPLICA_URL.",
            id="hub.E002",
        )
    ]
