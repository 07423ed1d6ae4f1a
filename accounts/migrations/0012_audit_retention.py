"""Audit details retention: `details_purged_at`, and the append-only triggers let exactly one update
through: `details` emptied to {} and `details_purged_at` set, once, every other column unchanged
(accounts/audit/retention.py). Anything else is still refused, on PostgreSQL and on SQLite."""

from django.db import migrations, models

# Every column but the two the purge writes. SQLite compares them one by one, so a column added
# later must be added here too (tests/accounts/test_audit_retention.py checks the list is complete);
# PostgreSQL compares the whole row as JSON, less those two.
KEPT_COLUMNS = (
    "id",
    "seq",
    "leaf_hash",
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
)

PG_FORWARD = """
CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.details_purged_at IS NULL AND NEW.details_purged_at IS NOT NULL
     AND NEW.details = '{}'::jsonb
     AND (to_jsonb(NEW) - 'details' - 'details_purged_at') = (to_jsonb(OLD) - 'details' - 'details_purged_at')
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
"""
PG_BACKWARD = """
CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
"""
_SQLITE_PURGE_ONLY = " AND ".join(
    [
        "OLD.details_purged_at IS NULL",
        "NEW.details_purged_at IS NOT NULL",
        "NEW.details = '{}'",
        *(f"NEW.{column} IS OLD.{column}" for column in KEPT_COLUMNS),
    ]
)
SQLITE_UPDATE_TRIGGER = (
    "CREATE TRIGGER accounts_audit_no_update BEFORE UPDATE ON accounts_auditevent "
    f"WHEN NOT ({_SQLITE_PURGE_ONLY}) "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
)
SQLITE_UPDATE_TRIGGER_BEFORE = (
    "CREATE TRIGGER accounts_audit_no_update BEFORE UPDATE ON accounts_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS accounts_audit_no_update")
        schema_editor.execute(SQLITE_UPDATE_TRIGGER)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS accounts_audit_no_update")
        schema_editor.execute(SQLITE_UPDATE_TRIGGER_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_purposes")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="details_purged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
