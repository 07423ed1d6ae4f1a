"""The database router: reads inside a replica scope go to the scope's alias; everything else to the primary.

The scope (hub/replica_reads.py) has already chosen the replica or the primary for its
organisation. Writes, and reads Django routes as writes (row locks, `get_or_create`,
`update_or_create`), always go to the primary, scope or not. Only the primary is migrated: the
replica is a physical copy of it.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS

from hub.replica_reads import read_alias


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        instance = hints.get("instance")
        if instance is not None and instance._state.db not in (None, DEFAULT_DB_ALIAS):
            # A related object of a row read on the replica: outside the scope it is read where it
            # belongs, the primary (Django would otherwise follow the instance to the replica).
            return read_alias() or DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the primary's own rows: a row read there may relate to one read here.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
