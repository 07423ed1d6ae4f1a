"""Sellers from the command line (TYPE=VALUE) and from CSV files, labelled for error messages.

Every message here names an argument, a file line or a column position, never the
text in it: a cell or argument may hold a raw identifier, even where a type belongs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from hubcore.identifiers.composites import COMPOSITE_COLUMNS, SIMPLE_TYPES
from hubctl.errors import IdentifierError

# Composite types are given one field at a time, as "person.full_name=..." or a column of that name.
IDENTIFIER_TYPES: tuple[str, ...] = SIMPLE_TYPES + tuple(sorted(COMPOSITE_COLUMNS))
KNOWN_TYPES = ", ".join(IDENTIFIER_TYPES)
_LONG_COLUMNS = {"type", "value"}
_SPECIAL_WIDE_COLUMNS = {"ref", "country"}


class InputError(ValueError):
    """Bad command-line or file input (exit status 2); the message never holds an identifier value."""


@dataclass
class Seller:
    """One seller's identifiers as (type, value, country) with a label for each, and an optional ref."""

    identifiers: list[tuple[str, str | dict[str, str], str | None]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    ref: str | None = None

    def add(self, identifier_type: str, value: str, country: str | None, label: str) -> None:
        """Append one identifier after checking its type is one the hub knows; a composite's
        field ("person.full_name") joins the seller's composite of that type."""
        kind = identifier_type.strip().lower()
        if kind in COMPOSITE_COLUMNS:
            self._add_field(kind, value, label)
            return
        if kind not in SIMPLE_TYPES:
            raise InputError(f"{label}: unknown identifier type; known types: {KNOWN_TYPES}.")
        self.identifiers.append((kind, value, (country or "").strip() or None))
        self.labels.append(label)

    def _add_field(self, column: str, value: str, label: str) -> None:
        """Set one field of the seller's composite of that type, starting the composite if needed."""
        kind, _, name = column.partition(".")
        composite = next((v for k, v, _ in self.identifiers if k == kind and isinstance(v, dict)), None)
        if composite is None:
            composite = {}
            self.identifiers.append((kind, composite, None))
            self.labels.append(label)
        if name in composite:
            raise InputError(f"{label}: {column} is given twice.")
        composite[name] = value

    def explain(self, exc: IdentifierError) -> InputError:
        """Restate a client-side IdentifierError with this seller's argument or line label."""
        if exc.index is None or exc.index >= len(self.labels):
            return InputError(exc.reason)
        kind = exc.type or "unknown type"
        return InputError(f"{self.labels[exc.index]} ({kind}): {exc.reason}")


def seller_from_pairs(pairs: list[str]) -> Seller:
    """A seller from TYPE=VALUE arguments, labelled "argument N" (1-based)."""
    seller = Seller()
    for position, pair in enumerate(pairs, start=1):
        label = f"identifier argument {position}"
        kind, separator, value = pair.partition("=")
        if not separator or not kind.strip():
            raise InputError(f"{label}: expected TYPE=VALUE, e.g. email=seller@example.com.")
        seller.add(kind, value, None, label)
    return seller


@dataclass(frozen=True)
class CsvInput:
    """The sellers of one CSV file; wide files (a ref column) hold one seller per row."""

    sellers: list[Seller]
    wide: bool


def read_csv(path: str) -> CsvInput:
    """Read a `type,value[,country]` file (one seller) or a `ref,<type>,...` file (one seller per row)."""
    rows = _rows(path)
    if not rows:
        raise InputError(f"{path}: the file is empty.")
    header = [name.strip().lower() for name in rows[0][1]]
    if _LONG_COLUMNS <= set(header):
        return CsvInput([_long_seller(path, header, rows[1:])], wide=False)
    if "ref" in header:
        return CsvInput(_wide_sellers(path, header, rows[1:]), wide=True)
    raise InputError(
        f"{path}: the header must have columns type,value (one seller) "
        f"or ref plus identifier-type columns (one seller per row)."
    )


def _rows(path: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their line numbers; utf-8-sig because spreadsheets write a BOM."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            return [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).") from None
    except (UnicodeDecodeError, csv.Error):
        raise InputError(f"{path}: not a UTF-8 CSV file.") from None


def _cells(path: str, line: int, header: list[str], row: list[str]) -> dict[int, str]:
    """The row's cells by column position, refusing more cells than the header names."""
    if len(row) > len(header):
        raise InputError(f"{path} line {line}: more cells than the header has columns (an unquoted comma?).")
    return dict(enumerate(row))


def _long_seller(path: str, header: list[str], rows: list[tuple[int, list[str]]]) -> Seller:
    """One seller from type,value[,country] rows."""
    kind, value, country = (
        header.index(name) if name in header else None for name in ("type", "value", "country")
    )
    seller = Seller()
    for line, row in rows:
        cells = _cells(path, line, header, row)
        seller.add(
            cells.get(kind, ""),
            cells.get(value, ""),
            cells.get(country) if country is not None else None,
            f"{path} line {line}",
        )
    if not seller.identifiers:
        raise InputError(f"{path}: no identifier rows under the header.")
    return seller


def _wide_sellers(path: str, header: list[str], rows: list[tuple[int, list[str]]]) -> list[Seller]:
    """One seller per row: a ref, an optional country, and identifier-type columns."""
    for position, name in enumerate(header, start=1):
        if name not in IDENTIFIER_TYPES and name not in _SPECIAL_WIDE_COLUMNS:
            raise InputError(
                f"{path}: column {position} is neither ref, country nor an identifier type; "
                f"known types: {KNOWN_TYPES}."
            )
    sellers = [_wide_seller(path, header, line, row) for line, row in rows]
    if not sellers:
        raise InputError(f"{path}: no seller rows under the header.")
    return sellers


def _wide_seller(path: str, header: list[str], line: int, row: list[str]) -> Seller:
    """The seller of one wide row; empty cells are identifiers the row does not have."""
    cells = _cells(path, line, header, row)
    country = cells.get(header.index("country"), "") if "country" in header else ""
    seller = Seller(ref=cells.get(header.index("ref"), "").strip())
    for position, name in enumerate(header):
        if name in IDENTIFIER_TYPES and cells.get(position, "").strip():
            seller.add(name, cells[position], country, f"{path} line {line} column {position + 1}")
    if not seller.identifiers:
        raise InputError(f"{path} line {line}: the row has no identifiers.")
    return seller
