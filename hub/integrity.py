"""Turn a unique-constraint violation into a 409 naming the fields, whichever database raised it.

A service that checks before it writes can still lose a race, and one that does not check
at all (an organisation's name) meets the constraint only in the database: either way the
member gets a 409 with a per-field message, never a 500. Only column names are read from
the database's message: the duplicate value it may quote is never repeated.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import IntegrityError
from django.utils.translation import gettext

from hub.errors import ConflictError

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")
_POSTGRES_KEY = re.compile(r"Key \((?P<columns>[\w, ]+)\)=")


def unique_violation_conflict(exc: BaseException) -> ConflictError | None:
    """The 409 for a unique-constraint IntegrityError, or None for any other error."""
    if not isinstance(exc, IntegrityError):
        return None
    located = _table_and_columns(exc)
    if located is None:
        return None
    model = _model_of(located[0])
    if model is None:
        return None
    fields = [_field_of(model, column) for column in located[1]]
    names = ", ".join(str(getattr(f, "verbose_name", name)) for name, f in fields)
    return ConflictError(
        gettext("Another %(thing)s already has this %(fields)s.")
        % {"thing": model._meta.verbose_name, "fields": names},
        fields={name: [gettext("Already taken: choose another.")] for name, _ in fields},
    )


def _table_and_columns(exc: IntegrityError) -> tuple[str, list[str]] | None:
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg): the table is named, the columns are in the detail
        match = _POSTGRES_KEY.search(diag.message_detail or "")
        if getattr(exc.__cause__, "sqlstate", None) != "23505" or match is None:
            return None
        return diag.table_name, [c.strip() for c in match["columns"].split(",")]
    match = _SQLITE_UNIQUE.search(str(exc))
    if match is None:
        return None
    qualified = [c.strip() for c in match["columns"].split(",")]
    return qualified[0].split(".")[0], [c.split(".")[-1] for c in qualified]


def _model_of(table: str):
    return next((m for m in apps.get_models() if m._meta.db_table == table), None)


def _field_of(model, column: str):
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field.name, field
    return column, None
