"""The application's database role (grant_app_role) may insert and read audit rows but never rewrite them.

On the real PostgreSQL: the command creates a throw-away login role on the test database, and the test
connects as that role with psycopg. Skipped on SQLite (no roles), except under CI=true, which runs on
PostgreSQL and must not skip it.
"""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import errors, sql

from accounts.db_roles import APPEND_ONLY_TABLES

pytestmark = pytest.mark.django_db(transaction=True)

INSERT_EVENT = """
INSERT INTO accounts_auditevent (seq, leaf_hash, public_id, occurred_at, role, action, object_type,
    object_id, data_class, legal_basis, outcome, request_id, details)
VALUES (%s, %s, %s, now(), '', 'test.role_check', '', '', 'administrative', 'test', 'allowed', '', '{}')
RETURNING id
"""


@pytest.fixture
def app_role(monkeypatch):
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs on PostgreSQL and must check the application role's grants")
        pytest.skip("database roles need PostgreSQL (set DATABASE_URL)")
    role, password = f"hub_app_test_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    monkeypatch.setenv("HUB_APP_DB_PASSWORD", password)
    call_command("grant_app_role", "--role", role)
    settings = connection.settings_dict
    params = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "dbname": settings["NAME"],
    }
    conn = psycopg.connect(**params, user=role, password=password)
    yield conn
    conn.close()
    with psycopg.connect(
        **params, user=settings["USER"], password=settings["PASSWORD"], autocommit=True
    ) as admin:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _attempt(conn: psycopg.Connection, statement: str, params=()) -> type[Exception] | None:
    """Run one statement in its own transaction, rolled back; the error class it raised, if any."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(statement, params)
    except psycopg.Error as exc:
        return type(exc)
    return None


def test_the_app_role_inserts_and_reads_audit_rows_but_cannot_update_delete_or_truncate_them(app_role):
    conn = app_role
    with conn.transaction(force_rollback=True):
        inserted = conn.execute(INSERT_EVENT, (10**12, "0" * 64, uuid.uuid4())).fetchone()
        read = conn.execute("SELECT action FROM accounts_auditevent WHERE id = %s", inserted).fetchone()
    assert read == ("test.role_check",)

    for table in APPEND_ONLY_TABLES:
        # Refused by privilege before any trigger runs, even where no row matches.
        assert _attempt(conn, f"UPDATE {table} SET id = id WHERE false") is errors.InsufficientPrivilege
        assert _attempt(conn, f"DELETE FROM {table} WHERE false") is errors.InsufficientPrivilege
        assert _attempt(conn, f"TRUNCATE {table}") is errors.InsufficientPrivilege
        assert _attempt(conn, f"SELECT count(*) FROM {table}") is None


def test_the_app_role_writes_ordinary_tables_and_is_no_owner(app_role):
    conn = app_role
    # The log head is updated on every event, so the role needs UPDATE there.
    assert _attempt(conn, "UPDATE accounts_auditloghead SET size = size WHERE false") is None
    assert _attempt(conn, "DELETE FROM accounts_alert WHERE false") is None
    # Staged audit events (batched sequencing) are deleted by the sequencer once logged, never updated.
    assert _attempt(conn, "DELETE FROM accounts_auditstagedevent WHERE false") is None
    assert (
        _attempt(conn, "UPDATE accounts_auditstagedevent SET role = role WHERE false")
        is errors.InsufficientPrivilege
    )
    # Only an owner can switch the append-only triggers off.
    assert (
        _attempt(conn, "ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_audit_no_update")
        is errors.InsufficientPrivilege
    )


def test_grant_app_role_refuses_sqlite(settings):
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is for SQLite")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("grant_app_role")
