"""Database triggers that keep the disclosure rules even against direct SQL writes."""

from django.db import migrations

PG_FORWARD = """
CREATE FUNCTION sharing_disclosure_approval_guard() RETURNS trigger AS $$
DECLARE requester bigint; fits boolean;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'disclosure approvals are permanent' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  SELECT requested_by_id INTO requester FROM sharing_disclosurerequest WHERE id = NEW.request_id;
  IF NEW.officer_id = requester THEN
    RAISE EXCEPTION 'the requester cannot approve' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  SELECT EXISTS (SELECT 1 FROM accounts_member WHERE id = NEW.officer_id AND role = 'disclosure_officer'
                 AND organisation_kind = 'operator' AND active) INTO fits;
  IF NOT fits THEN
    RAISE EXCEPTION 'only operator disclosure officers approve' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER sharing_disclosure_approval_guard BEFORE INSERT OR UPDATE OR DELETE ON sharing_disclosureapproval
  FOR EACH ROW EXECUTE FUNCTION sharing_disclosure_approval_guard();

CREATE FUNCTION sharing_disclosure_status_guard() RETURNS trigger AS $$
BEGIN
  IF NEW.status IN ('approved', 'package_ready', 'delivered') AND
     (SELECT count(DISTINCT officer_id) FROM sharing_disclosureapproval WHERE request_id = NEW.id) < 2 THEN
    RAISE EXCEPTION 'approval needs two distinct officers' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER sharing_disclosure_status_guard BEFORE INSERT OR UPDATE ON sharing_disclosurerequest
  FOR EACH ROW EXECUTE FUNCTION sharing_disclosure_status_guard();
"""

PG_BACKWARD = """
DROP TRIGGER sharing_disclosure_status_guard ON sharing_disclosurerequest;
DROP FUNCTION sharing_disclosure_status_guard();
DROP TRIGGER sharing_disclosure_approval_guard ON sharing_disclosureapproval;
DROP FUNCTION sharing_disclosure_approval_guard();
"""

_SQLITE_APPROVER_WRONG = """
  NEW.officer_id = (SELECT requested_by_id FROM sharing_disclosurerequest WHERE id = NEW.request_id)
  OR NOT EXISTS (SELECT 1 FROM accounts_member WHERE id = NEW.officer_id AND role = 'disclosure_officer'
                 AND organisation_kind = 'operator' AND active)
"""
_SQLITE_TOO_FEW = """
  NEW.status IN ('approved', 'package_ready', 'delivered')
  AND (SELECT count(DISTINCT officer_id) FROM sharing_disclosureapproval WHERE request_id = NEW.id) < 2
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER sharing_disclosure_approval_insert BEFORE INSERT ON sharing_disclosureapproval
        FOR EACH ROW WHEN {_SQLITE_APPROVER_WRONG}
        BEGIN SELECT RAISE(ABORT, 'only operator disclosure officers other than the requester approve'); END""",
    f"""CREATE TRIGGER sharing_disclosure_approval_update BEFORE UPDATE ON sharing_disclosureapproval
        FOR EACH ROW WHEN {_SQLITE_APPROVER_WRONG}
        BEGIN SELECT RAISE(ABORT, 'only operator disclosure officers other than the requester approve'); END""",
    """CREATE TRIGGER sharing_disclosure_approval_delete BEFORE DELETE ON sharing_disclosureapproval
        BEGIN SELECT RAISE(ABORT, 'disclosure approvals are permanent'); END""",
    f"""CREATE TRIGGER sharing_disclosure_status_insert BEFORE INSERT ON sharing_disclosurerequest
        FOR EACH ROW WHEN {_SQLITE_TOO_FEW}
        BEGIN SELECT RAISE(ABORT, 'approval needs two distinct officers'); END""",
    f"""CREATE TRIGGER sharing_disclosure_status_update BEFORE UPDATE ON sharing_disclosurerequest
        FOR EACH ROW WHEN {_SQLITE_TOO_FEW}
        BEGIN SELECT RAISE(ABORT, 'approval needs two distinct officers'); END""",
]
SQLITE_TRIGGERS = ["approval_insert", "approval_update", "approval_delete", "status_insert", "status_update"]


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
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER sharing_disclosure_{name}")


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0003_disclosure"),
        ("accounts", "0003_organisation_encryption_key_set_at_and_more"),
    ]
    operations = [migrations.RunPython(forward, backward)]
