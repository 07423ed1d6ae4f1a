"""A seller's identifiers as a few rows of a plain form (type + value), without JavaScript.

A page posts `identifiers-N-type` and `identifiers-N-value` for N in 0..ROWS-1; the filled rows
become the API's `identifiers` list, validated by the API's own input serializer, and its
messages ("identifiers.1.value") come back to the row the analyst typed them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict

from hubcore.identifiers.types import IdentifierType
from sharing.checks.services.words import type_label

ROWS = 4
# Composite identifiers (an object of fields) are given through the API; a row holds one text value.
ROW_TYPES = [t for t in IdentifierType if t not in (IdentifierType.PERSON, IdentifierType.REGISTERED_ADDRESS)]


@dataclass
class IdentifierRow:
    index: int
    type: str = IdentifierType.PHONE.value
    value: str = ""
    type_errors: list[str] = field(default_factory=list)
    value_errors: list[str] = field(default_factory=list)


def type_choices() -> list[tuple[str, str]]:
    """(value, label) of the types a row offers, labelled in the reader's language."""
    return [(t.value, type_label(t)) for t in ROW_TYPES]


def rows_blank() -> list[IdentifierRow]:
    return [IdentifierRow(index=i) for i in range(ROWS)]


def rows_posted(post: QueryDict) -> list[IdentifierRow]:
    """The rows as posted (what the analyst typed, to show back in the same form)."""
    return [
        IdentifierRow(
            index=i,
            type=post.get(f"identifiers-{i}-type", IdentifierType.PHONE.value)[:40],
            value=post.get(f"identifiers-{i}-value", "")[:500],
        )
        for i in range(ROWS)
    ]


def rows_filled(rows: list[IdentifierRow]) -> list[IdentifierRow]:
    return [row for row in rows if row.value.strip()]


def identifiers_body(rows: list[IdentifierRow]) -> list[dict]:
    """The API's `identifiers` list: one {type, value} per filled row, in order."""
    return [{"type": row.type, "value": row.value} for row in rows_filled(rows)]


def errors_to_rows(rows: list[IdentifierRow], errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put each `identifiers.K.type|value` message on the row it came from; return the other messages."""
    filled = rows_filled(rows)
    rest: dict[str, list[str]] = {}
    for name, messages in errors.items():
        parts = name.split(".")
        if (
            len(parts) == 3
            and parts[0] == "identifiers"
            and parts[1].isdigit()
            and int(parts[1]) < len(filled)
        ):
            row = filled[int(parts[1])]
            (row.type_errors if parts[2] == "type" else row.value_errors).extend(messages)
        else:
            rest[name] = messages
    return rest
