"""Django's PostgreSQL backend, except that it never groups by the token table's id alone, and that
it checks a persistent connection's health only after the connection has sat idle.

Django groups a query by a model's primary key only, leaving out the model's other selected columns,
because PostgreSQL accepts them as functionally dependent on the primary key. An operator may
hash-partition the token table on token (manage.py token_table_partition), and its primary key is
then (id, token): grouped by id alone, PostgreSQL refuses the other columns ("must appear in the GROUP
BY clause"). For that table Django groups by every selected column instead, as it does on backends
without the shortcut. It does so whichever form the table has (knowing would take a catalog query per
statement): on a plain table the answers are the same, grouped by the token's few columns.

Django's health check (CONN_HEALTH_CHECKS) sends `SELECT 1` at the start of every request that uses a
persistent connection: one round trip in the dozen a check makes, ~5% of its time under load. What it
guards against is a connection the server or the network closed while it sat unused (a restart, a
failover, an idle timeout), so here it runs only when the connection was last used more than
HEALTH_CHECK_AFTER_IDLE_SECONDS ago. A connection that dies within that window fails its first
statement instead, that request gets Django's error answer, and Django closes the connection at the
request's end (errors_occurred), so the next request opens a new one: the window in which a failure
reaches a client was already there between the check and the statement, and is now a few seconds.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base, features

# A persistent connection used within this many seconds is used again without a health check.
HEALTH_CHECK_AFTER_IDLE_SECONDS = 5.0

# Tables whose PostgreSQL primary key may not be the model's primary key alone (when partitioned).
PARTITIONABLE_TABLES = frozenset({"sharing_identifiertoken"})


class DatabaseFeatures(features.DatabaseFeatures):
    def allows_group_by_selected_pks_on_model(self, model) -> bool:
        return (
            model._meta.db_table not in PARTITIONABLE_TABLES
            and super().allows_group_by_selected_pks_on_model(model)
        )


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    # Django's (set in connect and per request); declared for the type checker, which has no stub for them.
    health_check_enabled: bool
    health_check_done: bool
    # When a cursor was last opened on this connection (monotonic seconds; None: not yet).
    last_used_at: float | None = None

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self.last_used_at = time.monotonic()
        return cursor

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.last_used_at is not None
            and time.monotonic() - self.last_used_at < HEALTH_CHECK_AFTER_IDLE_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
