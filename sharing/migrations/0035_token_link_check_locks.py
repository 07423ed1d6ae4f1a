"""A token table partitioned before this migration gets the link check that locks the token it finds
(FOR KEY SHARE, as a foreign key's check does; sharing/subjects/services/token_partitioning.py). A plain
table has its foreign keys and no such function: nothing to do. The body is frozen here, as of this
migration; the service creates the same one when it partitions a table.
"""

from django.db import migrations

LOCKING_CHECK = """
CREATE OR REPLACE FUNCTION sharing_token_link_exists() RETURNS trigger AS $$
DECLARE linked bigint; still_linked boolean;
BEGIN
  EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO linked USING NEW;
  -- Checked at commit, as a foreign key is: a link deleted or repointed since then is no longer this
  -- link (a repointed one has a check of its own queued).
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1 AND %I = $2)', TG_TABLE_NAME, TG_ARGV[0])
    INTO still_linked USING NEW.id, linked;
  IF NOT still_linked THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM sharing_identifiertoken WHERE id = linked FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'insert or update on table "%" violates the link to sharing_identifiertoken', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (%s)=(%s) is not present.', TG_ARGV[0], linked);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""
# The body before this migration, for the way back.
UNLOCKED_CHECK = """
CREATE OR REPLACE FUNCTION sharing_token_link_exists() RETURNS trigger AS $$
DECLARE linked bigint; still_linked boolean;
BEGIN
  EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO linked USING NEW;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1 AND %I = $2)', TG_TABLE_NAME, TG_ARGV[0])
    INTO still_linked USING NEW.id, linked;
  IF still_linked AND NOT EXISTS (SELECT 1 FROM sharing_identifiertoken WHERE id = linked) THEN
    RAISE EXCEPTION 'insert or update on table "%" violates the link to sharing_identifiertoken', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (%s)=(%s) is not present.', TG_ARGV[0], linked);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def _replaced_by(body: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regprocedure('sharing_token_link_exists()') IS NOT NULL")
            (partitioned,) = cursor.fetchone()
        if partitioned:
            # No parameters: the function's own % placeholders are PL/pgSQL's, not the driver's.
            schema_editor.execute(body, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("sharing", "0034_token_once_per_type")]
    operations = [migrations.RunPython(_replaced_by(LOCKING_CHECK), _replaced_by(UNLOCKED_CHECK))]
