"""Migration operations that set SQLite triggers aside while a table they name is rebuilt.

SQLite changes a table's constraints by rebuilding it (create a new table, copy, drop the old, rename
the new). A trigger on another table that names the rebuilt one makes the rename fail ("error in
trigger …: no such table"), so a migration changing such a table's constraints would stop an
existing embedded database from upgrading. `triggers_set_aside(tables)` drops those triggers before
the rebuild and puts them back, as they were, after it, in both directions. PostgreSQL alters
constraints in place and needs none of this.
"""

from __future__ import annotations

from django.db import migrations

_set_aside: dict[tuple[str, ...], list[tuple[str, str]]] = {}


def _drop(tables: tuple[str, ...]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            naming = [
                (name, sql)
                for name, table, sql in cursor.fetchall()
                if table not in tables and any(wanted in sql for wanted in tables)
            ]
        _set_aside[tables] = naming
        for name, _sql in naming:
            schema_editor.execute(f'DROP TRIGGER "{name}"')

    return run


def _restore(tables: tuple[str, ...]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for _name, sql in _set_aside.pop(tables, []):
            schema_editor.execute(sql)

    return run


def triggers_set_aside(*tables: str) -> tuple[migrations.RunPython, migrations.RunPython]:
    """The operation to put first and the one to put last in a migration rebuilding `tables`."""
    return (
        migrations.RunPython(_drop(tables), _restore(tables)),
        migrations.RunPython(_restore(tables), _drop(tables)),
    )
