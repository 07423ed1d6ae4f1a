"""Staged audit events leave staging only by being sequenced: the database refuses deleting a staged
row unless the log holds the same event (same id, same content), and refuses TRUNCATE on PostgreSQL.

Without this, the application's role (which must delete staged rows: the sequencer does) could make
an event vanish before the sequencer placed it, without trace (accounts/audit/sequencer.py).
"""

from django.db import migrations

# The staged row's columns, every one of which the log's copy carries unchanged. SQLite compares them
# one by one, so a column added later must be added here too (tests/accounts/test_audit_sequencer.py
# checks the list is complete); PostgreSQL compares the whole row as JSON, less the log's own columns.
STAGED_COLUMNS = (
    "public_id",
    "occurred_at",
    "actor_member_id",
    "actor_api_key_id",
    "organisation_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "data_class",
    "legal_basis",
    "outcome",
    "request_id",
    "client_request_id",
    "details",
)
MESSAGE = "staged audit events leave staging only by being sequenced"

PG_FORWARD = f"""
CREATE FUNCTION accounts_audit_staged_leave_sequenced() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
    SELECT 1 FROM accounts_auditevent e
    WHERE e.public_id = OLD.public_id
      AND (to_jsonb(e) - 'id' - 'seq' - 'leaf_hash' - 'details_purged_at') = (to_jsonb(OLD) - 'id')
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_audit_staged_no_delete BEFORE DELETE ON accounts_auditstagedevent
  FOR EACH ROW EXECUTE FUNCTION accounts_audit_staged_leave_sequenced();
CREATE TRIGGER accounts_audit_staged_no_truncate BEFORE TRUNCATE ON accounts_auditstagedevent
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_audit_staged_leave_sequenced();
"""
PG_BACKWARD = """
DROP TRIGGER accounts_audit_staged_no_truncate ON accounts_auditstagedevent;
DROP TRIGGER accounts_audit_staged_no_delete ON accounts_auditstagedevent;
DROP FUNCTION accounts_audit_staged_leave_sequenced();
"""
_SQLITE_LOGGED = " AND ".join(f"e.{column} IS OLD.{column}" for column in STAGED_COLUMNS)
SQLITE_DELETE_TRIGGER = (
    "CREATE TRIGGER accounts_audit_staged_no_delete BEFORE DELETE ON accounts_auditstagedevent "
    f"WHEN NOT EXISTS (SELECT 1 FROM accounts_auditevent e WHERE {_SQLITE_LOGGED}) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    else:
        schema_editor.execute(SQLITE_DELETE_TRIGGER)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    else:
        schema_editor.execute("DROP TRIGGER accounts_audit_staged_no_delete")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0014_audit_staged_event")]
    operations = [migrations.RunPython(forward, backward)]
