"""The token table hash-partitioned on PostgreSQL (issue 20, docs/scaling.md section 4); SQLite is untouched.

Partition key: HASH(token). Every lookup is by token (stored_tokens_of, stored_token_rows, the bulk chunk
join on token and type), so each prunes to one partition, and the unique constraint token_once_per_type
on (identifier_type, token) stays global because it contains the key. HASH(id) would keep foreign keys
but PostgreSQL could then enforce (identifier_type, token) only within a partition: not acceptable.

A partitioned table's primary key and unique constraints must contain the partition key, so the primary
key becomes (id, token). id still comes from the identity sequence (kept across the copy) and is never
set by the hub, but PostgreSQL no longer declares it unique on its own, so no foreign key can reference
it: the two tables that link to a token by id (sharing_reportidentifier.token_id and the ParcelEvent.tokens
table sharing_parcelevent_tokens.identifiertoken_id) lose their FOREIGN KEY and get constraint triggers
that do the same job, deferred to commit as Django's foreign keys are (DEFERRABLE INITIALLY DEFERRED):
- a link inserted or repointed to a token id no row has fails (foreign_key_violation, an IntegrityError);
- a token row deleted, or its id changed, while a link names it fails. The check runs at commit and
  first asks whether a row with that id still exists: rotate_token_storage rewrites the token column,
  which moves a row to another partition, and PostgreSQL runs such an UPDATE as a DELETE plus an INSERT
  (firing AFTER DELETE, not AFTER UPDATE), so a moved row must not count as deleted.
Django's PROTECT on ReportIdentifier.token stays what it always was, an ORM-side refusal; the triggers are
the database's guarantee against raw SQL. A raw TRUNCATE of the token table alone is not caught (no
foreign key blocks it now); nothing in the hub truncates it outside the test runner's whole-database flush.

Django's model state is unchanged (id is the model's primary key, the links are ForeignKeys): the ORM
relation is the same, makemigrations finds nothing, and on SQLite the original foreign keys stay. One
ORM habit needs the database's key: Django groups by a model's primary key alone on PostgreSQL, which
(id, token) no longer allows, so the hub's backend (hub/postgresql/base.py) groups this table by every
selected column.

Sixteen partitions (a constant, not a setting: the modulus is the table's shape): at 10M tokens (~7.9 GB
with indexes) a partition holds ~0.5 GB, at 100M ~5 GB, so VACUUM, index builds and storage-key rotation
work in pieces that fit in memory. Lookups by id cannot prune (a report's tokens: links joined to tokens
by id) and probe every partition's (id, token) index, and planning grows with the count, so it is kept
low. Hash partitions can later be split
one at a time (a modulus-16 partition replaced by two of modulus 32) without rewriting the others.

The copy is INSERT ... SELECT into the new table before its indexes are built (faster than maintaining
them row by row), the identity sequence resumes where the old one stood, and the reverse copies back into
an unpartitioned table with Django's own names for the indexes, constraints and foreign keys.
"""

from django.db import migrations

TABLE = "sharing_identifiertoken"
PARTITIONS = 16
# (table, column) pairs that link to a token by id: the foreign keys the triggers replace.
LINKS = (("sharing_reportidentifier", "token_id"), ("sharing_parcelevent_tokens", "identifiertoken_id"))

LINK_CHECK = """
CREATE FUNCTION sharing_token_link_exists() RETURNS trigger AS $$
DECLARE linked bigint; still_linked boolean;
BEGIN
  EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO linked USING NEW;
  -- Checked at commit, as a foreign key is: a link deleted or repointed since then is no longer this
  -- link (a repointed one has a check of its own queued).
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1 AND %I = $2)', TG_TABLE_NAME, TG_ARGV[0])
    INTO still_linked USING NEW.id, linked;
  IF still_linked AND NOT EXISTS (SELECT 1 FROM sharing_identifiertoken WHERE id = linked) THEN
    RAISE EXCEPTION 'insert or update on table "%" violates the link to sharing_identifiertoken', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (%s)=(%s) is not present.', TG_ARGV[0], linked);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION sharing_token_unlinked() RETURNS trigger AS $$
BEGIN
  -- A row moved to another partition (an UPDATE of its token) arrives here as a DELETE: it still exists.
  IF EXISTS (SELECT 1 FROM sharing_identifiertoken WHERE id = OLD.id) THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM sharing_reportidentifier WHERE token_id = OLD.id)
     OR EXISTS (SELECT 1 FROM sharing_parcelevent_tokens WHERE identifiertoken_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "sharing_identifiertoken" violates a link to it'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced.', OLD.id);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER sharing_token_unlinked AFTER DELETE OR UPDATE OF id ON sharing_identifiertoken
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sharing_token_unlinked();
"""
LINK_TRIGGER = """
CREATE CONSTRAINT TRIGGER {table}_token_exists AFTER INSERT OR UPDATE OF {column} ON {table}
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sharing_token_link_exists('{column}');
"""
LINK_CHECK_DROP = """
DROP TRIGGER sharing_token_unlinked ON sharing_identifiertoken;
DROP FUNCTION sharing_token_unlinked();
"""


def _rows(schema_editor, sql, params=()):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _shape(schema_editor, table):
    """What the copy must rebuild on the new table: its plain indexes' CREATE statements and its unique
    and foreign-key constraints as (name, definition). Check constraints travel with LIKE."""
    indexes = _rows(
        schema_editor,
        """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
           WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
           ORDER BY 1""",
        [table],
    )
    constraints = _rows(
        schema_editor,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
        [table],
    )
    # A partitioned table's index is defined "ON ONLY" the parent; a plain table's index takes it without.
    return [sql.replace(" ON ONLY ", " ON ") for (sql,) in indexes], constraints


def _copy(schema_editor, new_table, partitioned):
    """Create new_table shaped like the token table, copy the rows and the sequence's position into it,
    drop the old table and give new_table its name, indexes and constraints (but not yet its primary key)."""
    execute = schema_editor.execute
    indexes, constraints = _shape(schema_editor, TABLE)
    ((sequence,),) = _rows(schema_editor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    ((last_value, is_called),) = _rows(schema_editor, f"SELECT last_value, is_called FROM {sequence}")
    partition_by = " PARTITION BY HASH (token)" if partitioned else ""
    execute(
        f"CREATE TABLE {new_table} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
        f"{partition_by}"
    )
    if partitioned:
        for remainder in range(PARTITIONS):
            execute(
                f"CREATE TABLE {TABLE}_p{remainder:02d} PARTITION OF {new_table} "
                f"FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {remainder})"
            )
    execute(f"INSERT INTO {new_table} SELECT * FROM {TABLE}")
    execute(f"DROP TABLE {TABLE}")
    execute(f"ALTER TABLE {new_table} RENAME TO {TABLE}")
    # The new table's identity sequence, renamed to the one it replaces: the same name on either side.
    ((new_sequence,),) = _rows(schema_editor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.split('.')[-1]}")
    execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])
    for name, definition in constraints:
        if definition.startswith("UNIQUE"):
            execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
    for statement in indexes:
        execute(statement)
    for name, definition in constraints:
        if definition.startswith("FOREIGN KEY"):
            execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    for table, _column in LINKS:
        for (name,) in _rows(
            schema_editor,
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
            "AND confrelid = %s::regclass",
            [table, TABLE],
        ):
            execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    _copy(schema_editor, f"{TABLE}_partitioned", partitioned=True)
    execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, token)")
    # No parameters: the functions' own % placeholders are PL/pgSQL's, not the driver's.
    execute(LINK_CHECK, None)
    for table, column in LINKS:
        execute(LINK_TRIGGER.format(table=table, column=column), None)
    execute(f"ANALYZE {TABLE}")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    for table, _column in LINKS:
        execute(f"DROP TRIGGER {table}_token_exists ON {table}")
    execute(LINK_CHECK_DROP)
    execute("DROP FUNCTION sharing_token_link_exists()")
    _copy(schema_editor, f"{TABLE}_unpartitioned", partitioned=False)
    execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
    # The foreign keys under the names Django gave them (the names a fresh database has).
    report_identifier = apps.get_model("sharing", "ReportIdentifier")
    parcel_event_tokens = (
        apps.get_model("sharing", "ParcelEvent")._meta.get_field("tokens").remote_field.through
    )
    for model, field_name in ((report_identifier, "token"), (parcel_event_tokens, "identifiertoken")):
        field = model._meta.get_field(field_name)
        execute(schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))
    execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0034_token_once_per_type"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
