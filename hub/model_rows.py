"""Model instances from a hand-written statement's rows, converted exactly as the ORM converts them.

Compiling a queryset costs more Python than the round trip it sends on the hot paths that run on
every request (authenticating an API key: ~a quarter of a check's CPU, benchmarks/RESULTS.md). A
statement spelled once per process from the models' own metadata (`model_columns`) costs none, and
its text never changes, so psycopg prepares it (hub/settings.py). `instance_from_row` then builds
the instances as `Model.from_db` does, after the same backend and field converters the ORM's
compiler applies (JSON decoded, SQLite's text dates parsed), so the result is the ORM's on either
backend; each user of this module has a test that the two readings are equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

M = TypeVar("M", bound=Model)


def model_columns(model: type[Model], alias: str) -> str:
    """Every concrete column of the model under the table alias, in field order (as `from_db` takes them)."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


@cache
def _converters(database: str, model: type[Model]) -> tuple[tuple, ...]:
    """Per concrete field: (column expression, its converters), as SQLCompiler.get_converters lists them."""
    connection = connections[database]
    out = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        out.append((column, tuple(converters)))
    return tuple(out)


def instance_from_row(database: str, model: type[M], row: Sequence, *, at: int = 0) -> M:
    """The model's instance from its `model_columns` in the row, starting at column `at`."""
    connection = connections[database]
    converters = _converters(database, model)
    values = []
    for (column, column_converters), value in zip(converters, row[at : at + len(converters)], strict=True):
        for converter in column_converters:
            value = converter(value, column, connection)
        values.append(value)
    return model.from_db(database, _attnames(model), values)


@cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


@cache
def _insert_statement(database: str, model: type[Model]) -> tuple[str, tuple]:
    """INSERT of every concrete column but a database-generated primary key, returning that key."""
    connection = connections[database]
    quote = connection.ops.quote_name
    fields = tuple(
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and field.db_returning)  # an AutoField: the database numbers it
    )
    placeholders = ", ".join(["%s"] * len(fields))
    return (
        f"INSERT INTO {quote(str(model._meta.db_table))} ({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({placeholders}) RETURNING {quote(str(model._meta.pk.column))}",
        fields,
    )


def instance_insert(instance: Model, database: str = DEFAULT_DB_ALIAS) -> None:
    """Insert one new instance as `save(force_insert=True)` does (each field's pre_save and prep for
    the backend, the new key set on the instance), without compiling the insert each time.
    No model signals are sent: use it only for models nobody listens to (its tests say which)."""
    sql, fields = _insert_statement(database, type(instance))
    connection = connections[database]
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (instance.pk,) = cursor.fetchone()
    instance._state.adding, instance._state.db = False, database
