"""The one CSV writer for everything the hub and hubctl write as CSV: safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets, and refs are chosen by members. Per OWASP's CSV
injection guidance such a cell is prefixed with a single quote (shown as text, not run),
and every field is quoted so no cell can break out of its quotes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """The value as it may be written: text that a spreadsheet would evaluate gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_line(values: Iterable[object], *, lineterminator: str = "\r\n") -> str:
    """One fully quoted CSV line of escaped cells."""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=lineterminator).writerow(
        [csv_cell(v) for v in values]
    )
    return out.getvalue()


def csv_document(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """A header line and one line per row, newline separated, without a trailing newline."""
    lines = [csv_line(header, lineterminator="\n"), *(csv_line(row, lineterminator="\n") for row in rows)]
    return "".join(lines).rstrip("\n")
