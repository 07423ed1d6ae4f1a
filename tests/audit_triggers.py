"""Switch the audit log's append-only triggers off, as an administrator could, for tests only:
to let pytest-django flush the tables after transactional tests, and to play the tamperer."""
from __future__ import annotations

import importlib
from contextlib import contextmanager

from django.db import connection

_append_only = importlib.import_module("accounts.migrations.0005_audit_append_only")
SQLITE_TRIGGERS = ("accounts_audit_no_update", "accounts_audit_no_delete")


def disable() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def enable() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'accounts_audit_%'")
        if {row[0] for row in cursor.fetchall()} != set(SQLITE_TRIGGERS):
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for statement in _append_only.SQLITE_FORWARD:
                cursor.execute(statement)


@contextmanager
def disabled():
    disable()
    try:
        yield
    finally:
        enable()
