"""The application's database role in production: everything it needs, and no way to rewrite the audit log.

Migrations run as the database owner; web, workers and beat connect as a separate login role (hub_app
in docker-compose.yml) that may read and write every table but holds no UPDATE, DELETE or TRUNCATE
on the audit log and its checkpoints. The append-only triggers (accounts/migrations/0005) hold even for
the owner; the missing privileges are a second wall an application bug or a stolen application
password cannot climb, since only the owner may drop or disable a trigger.
"""

from __future__ import annotations

from psycopg import sql

from accounts.audit.models import AuditCheckpoint, AuditEvent, AuditStagedEvent

# Rows here are only ever inserted and read.
APPEND_ONLY_TABLES = (AuditEvent._meta.db_table, AuditCheckpoint._meta.db_table)
# Audit events waiting for the sequencer (batched sequencing): inserted by actions, deleted by the
# sequencer once in the log, never updated, so the role cannot change an event before it is logged.
# Nor delete one: a trigger (accounts/migrations/0015) lets a staged row go only once the log holds it.
NEVER_UPDATED_TABLES = (AuditStagedEvent._meta.db_table,)


def app_role_statements(
    *, role: str, database: str, schema: str, password: str | None = None
) -> list[sql.Composed]:
    """The statements, run as the owner after every migrate (they are idempotent), that create the role
    when a password is given and grant it exactly the application's privileges on what exists now."""
    r, s = sql.Identifier(role), sql.Identifier(schema)
    statements = []
    if password is not None:
        # CREATE ROLE has no IF NOT EXISTS; a DO block keeps the command idempotent, and ALTER ROLE sets
        # the password either way (a changed secret takes effect on the next migrate run).
        statements.append(
            sql.SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
                "CREATE ROLE {role} LOGIN; END IF; END $$"
            ).format(name=sql.Literal(role), role=r)
        )
        statements.append(
            sql.SQL(
                "ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD {pw}"
            ).format(role=r, pw=sql.Literal(password))
        )
    statements += [
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}").format(
            db=sql.Identifier(database), role=r
        ),
        sql.SQL("GRANT USAGE ON SCHEMA {schema} TO {role}").format(schema=s, role=r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}").format(
            schema=s, role=r
        ),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}").format(
            schema=s, role=r
        ),
        sql.SQL("REVOKE TRUNCATE ON ALL TABLES IN SCHEMA {schema} FROM {role}").format(schema=s, role=r),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {role}").format(
            tables=sql.SQL(", ").join(sql.Identifier(schema, table) for table in APPEND_ONLY_TABLES), role=r
        ),
        sql.SQL("REVOKE UPDATE ON {tables} FROM {role}").format(
            tables=sql.SQL(", ").join(sql.Identifier(schema, table) for table in NEVER_UPDATED_TABLES), role=r
        ),
    ]
    return statements
