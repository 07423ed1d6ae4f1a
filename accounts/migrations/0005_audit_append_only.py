"""Audit events are append-only: the database refuses UPDATE, DELETE and TRUNCATE on them.

In production the application's database role should also hold only INSERT and
SELECT on accounts_auditevent (see README); these triggers hold even for the owner.
"""

from django.db import migrations

PG_FORWARD = """
CREATE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_audit_no_update BEFORE UPDATE OR DELETE ON accounts_auditevent
  FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only();
CREATE TRIGGER accounts_audit_no_truncate BEFORE TRUNCATE ON accounts_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER accounts_audit_no_truncate ON accounts_auditevent;
DROP TRIGGER accounts_audit_no_update ON accounts_auditevent;
DROP FUNCTION accounts_audit_append_only();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER accounts_audit_no_update BEFORE UPDATE ON accounts_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "CREATE TRIGGER accounts_audit_no_delete BEFORE DELETE ON accounts_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    else:
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    else:
        schema_editor.execute("DROP TRIGGER accounts_audit_no_update")
        schema_editor.execute("DROP TRIGGER accounts_audit_no_delete")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_audit_log")]
    operations = [migrations.RunPython(forward, backward)]
