"""Switch the audit log's append-only triggers off, as an administrator could, for tests only:
to let pytest-django flush the tables after transactional tests, and to play the tamperer."""

from __future__ import annotations

import importlib
from contextlib import contextmanager

from django.db import connection

_append_only = importlib.import_module("accounts.migrations.0005_audit_append_only")
# The update trigger as 0012 replaced it: it lets the details purge through and nothing else.
_audit_retention = importlib.import_module("accounts.migrations.0012_audit_retention")
_disclosure_guards = importlib.import_module("sharing.migrations.0004_disclosure_guards")
# Staged events leave staging only by being sequenced (0015): a flush must be let through that too.
_staged_guard = importlib.import_module("accounts.migrations.0015_audit_staged_leave_sequenced")
SQLITE_TRIGGERS = ("accounts_audit_no_update", "accounts_audit_no_delete")
SQLITE_STAGED_DELETE = "accounts_audit_staged_no_delete"
# Approvals are permanent too; a flush after a transactional test must be let through.
SQLITE_APPROVAL_DELETE = "sharing_disclosure_approval_delete"


def disable() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            for name in (*SQLITE_TRIGGERS, SQLITE_APPROVAL_DELETE, SQLITE_STAGED_DELETE):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def enable() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        if not set(SQLITE_TRIGGERS) <= present:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for statement in _append_only.SQLITE_FORWARD:
                cursor.execute(statement)
            cursor.execute("DROP TRIGGER accounts_audit_no_update")
            cursor.execute(_audit_retention.SQLITE_UPDATE_TRIGGER)
        if SQLITE_APPROVAL_DELETE not in present:
            cursor.execute(next(s for s in _disclosure_guards.SQLITE_FORWARD if SQLITE_APPROVAL_DELETE in s))
        if SQLITE_STAGED_DELETE not in present:
            cursor.execute(_staged_guard.SQLITE_DELETE_TRIGGER)


@contextmanager
def disabled():
    disable()
    try:
        yield
    finally:
        enable()
