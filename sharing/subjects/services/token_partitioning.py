"""The token table hash-partitioned on token, or back to a plain table: an operator's choice on PostgreSQL
(manage.py token_table_partition, docs/scaling.md section 4). SQLite always keeps the plain table.

Not the default: at 1M tokens the partitioned table measured 2-4x slower on a check's lookups
(benchmarks/partitioning.py), paying planning over every partition and, for lookups by id, a probe of
every partition's index. What it buys is per-partition VACUUM, index builds and storage-key rotation
once the table outgrows memory.

Partition key: HASH(token). Every lookup is by token (stored_tokens_of, stored_token_rows, the bulk chunk
join on token and type), so each prunes to one partition, and the unique constraint token_once_per_type
on (identifier_type, token) stays global because it contains the key. HASH(id) would keep foreign keys
but PostgreSQL could then enforce (identifier_type, token) only within a partition.

A partitioned table's primary key must contain the partition key, so it becomes (id, token). id still
comes from the identity sequence (kept across the copy) and is never set by the hub, but PostgreSQL no
longer declares it unique on its own, so no foreign key can reference it: the two tables that link to a
token by id (sharing_reportidentifier.token_id and sharing_parcelevent_tokens.identifiertoken_id) lose
their FOREIGN KEY and get constraint triggers doing the same job, deferred to commit as Django's foreign
keys are:
- a link inserted or repointed to a token id no row has fails (foreign_key_violation, an IntegrityError),
  and one whose token is there locks it FOR KEY SHARE until it commits, so a concurrent delete waits;
- a token row deleted, or its id changed, while a link names it fails. The check first asks whether a
  row with that id still exists: rotate_token_storage rewrites the token column, which moves a row to
  another partition, and PostgreSQL runs such an UPDATE as a DELETE plus an INSERT (firing AFTER DELETE).
A raw TRUNCATE of the token table alone is not caught (no foreign key blocks it).

Django's model state is the same either way (no migration), and Django groups a query by a model's
primary key alone on PostgreSQL, which (id, token) refuses: the hub's backend (hub/postgresql/base.py)
groups this table by every selected column, partitioned or not.

The copy is INSERT ... SELECT into the new table before its indexes are built, the identity sequence
resumes where the old one stood, and the way back rebuilds Django's own names for the indexes,
constraints and foreign keys. The whole change is one transaction holding the table's lock: at 1M
tokens about a minute, so run it in a maintenance window.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from sharing.models import ParcelEvent, ReportIdentifier

TABLE = "sharing_identifiertoken"
DEFAULT_PARTITIONS = 16
# (table, column) pairs that link to a token by id: the foreign keys the triggers replace.
LINKS = (("sharing_reportidentifier", "token_id"), ("sharing_parcelevent_tokens", "identifiertoken_id"))

# The link's check locks the token it finds FOR KEY SHARE until the link commits, as PostgreSQL's own
# foreign keys do: a token deleted meanwhile waits, then its own check sees the committed link. Without
# the lock each check could pass before the other committed, leaving a link to nothing.
# (sharing/migrations/0035 puts this body on a table partitioned before it.)
LINK_EXISTS_FUNCTION = """
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
LINK_CHECK = (
    LINK_EXISTS_FUNCTION
    + """
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
)
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


def _copy(schema_editor, new_table: str, partitions: int) -> None:
    """Create new_table shaped like the token table, copy the rows and the sequence's position into it,
    drop the old table and give new_table its name, indexes and constraints (but not yet its primary key).
    partitions=0 makes a plain table."""
    execute = schema_editor.execute
    indexes, constraints = _shape(schema_editor, TABLE)
    ((sequence,),) = _rows(schema_editor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    ((last_value, is_called),) = _rows(schema_editor, f"SELECT last_value, is_called FROM {sequence}")
    partition_by = " PARTITION BY HASH (token)" if partitions else ""
    execute(
        f"CREATE TABLE {new_table} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
        f"{partition_by}"
    )
    for remainder in range(partitions):
        execute(
            f"CREATE TABLE {TABLE}_p{remainder:02d} PARTITION OF {new_table} "
            f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {remainder})"
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


def _partition(schema_editor, partitions: int) -> None:
    execute = schema_editor.execute
    for table, _column in LINKS:
        for (name,) in _rows(
            schema_editor,
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
            "AND confrelid = %s::regclass",
            [table, TABLE],
        ):
            execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    _copy(schema_editor, f"{TABLE}_partitioned", partitions)
    execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, token)")
    # No parameters: the functions' own % placeholders are PL/pgSQL's, not the driver's.
    execute(LINK_CHECK, None)
    for table, column in LINKS:
        execute(LINK_TRIGGER.format(table=table, column=column), None)
    execute(f"ANALYZE {TABLE}")


def _unpartition(schema_editor) -> None:
    execute = schema_editor.execute
    for table, _column in LINKS:
        execute(f"DROP TRIGGER {table}_token_exists ON {table}")
    execute(LINK_CHECK_DROP)
    execute("DROP FUNCTION sharing_token_link_exists()")
    _copy(schema_editor, f"{TABLE}_unpartitioned", 0)
    execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
    # The foreign keys under the names Django gave them (the names a fresh database has).
    parcel_event_tokens = ParcelEvent.tokens.through
    for model, field_name in ((ReportIdentifier, "token"), (parcel_event_tokens, "identifiertoken")):
        field = model._meta.get_field(field_name)
        execute(schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))
    execute(f"ANALYZE {TABLE}")


class TokenTableRefused(Exception):
    """The token table cannot take the form asked for (the message says why); nothing was changed."""


@dataclass(frozen=True)
class TokenTableChange:
    """What token_table_partition or token_table_unpartition found and did."""

    partitions_before: int
    partitions_after: int

    @property
    def changed(self) -> bool:
        return self.partitions_before != self.partitions_after


def token_table_partitions(cursor=None) -> int:
    """How many hash partitions the token table has: 0 for a plain table (and always on SQLite)."""
    if connection.vendor != "postgresql":
        return 0
    if cursor is None:
        with connection.cursor() as own:
            return token_table_partitions(own)
    cursor.execute(
        "SELECT count(i.inhrelid) FROM pg_partitioned_table p LEFT JOIN pg_inherits i ON i.inhparent = p.partrelid "
        "WHERE p.partrelid = %s::regclass",
        [TABLE],
    )
    return cursor.fetchone()[0]


def token_table_partition(*, partitions: int = DEFAULT_PARTITIONS) -> TokenTableChange:
    """Hash-partition the token table in `partitions`; nothing to do if it already is, in that many."""
    _require_postgresql()
    if partitions < 2:
        raise TokenTableRefused("A partitioned table needs at least two partitions.")
    with transaction.atomic():
        _lock()
        before = token_table_partitions()
        if before == partitions:
            return TokenTableChange(before, before)
        if before:
            raise TokenTableRefused(
                f"The token table is already partitioned in {before}: return it to a plain table first (--undo)."
            )
        with connection.schema_editor(atomic=False) as editor:
            _partition(editor, partitions)
        return _audited(TokenTableChange(before, partitions))


def token_table_unpartition() -> TokenTableChange:
    """Return the token table to a plain table with its foreign keys; nothing to do if it is one."""
    _require_postgresql()
    with transaction.atomic():
        _lock()
        before = token_table_partitions()
        if not before:
            return TokenTableChange(0, 0)
        with connection.schema_editor(atomic=False) as editor:
            _unpartition(editor)
        return _audited(TokenTableChange(before, 0))


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise TokenTableRefused("Only a PostgreSQL hub can partition its token table; SQLite keeps it plain.")


def _lock() -> None:
    # Two operators running the command at once would both read the table's form before either changed it.
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    # A caller's transaction may hold deferred link checks still to run, and PostgreSQL refuses to drop a
    # table with pending trigger events: run them now, as commit would have.
    connection.check_constraints()


def _audited(change: TokenTableChange) -> TokenTableChange:
    audit_record(
        actor=None,
        tag=AuditTag.TOKEN_TABLE_RESHAPED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="token_table",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"partitions_before": change.partitions_before, "partitions_after": change.partitions_after},
    )
    return change
