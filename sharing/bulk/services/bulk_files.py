"""The bulk upload formats: a CSV with a ref column and identifier-type columns, or JSONL.

Read as a stream, a line at a time; a malformed file is a 400 naming the `file` field,
a malformed row becomes an error row of its own (its message never quotes a value).
Rows are tokenised as they arrive, validated as a single check validates its identifiers.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError

from hub.errors import DomainError
from hub.keys import token_storage_keys
from hub.nul import nul_path
from hubcore.identifiers.composites import COMPOSITE_COLUMNS, SIMPLE_TYPES, composites_from_columns
from hubcore.identifiers.types import IdentifierType
from sharing.crypto.tokens import TOKEN_HEX_LENGTH, token_seal
from sharing.subjects.inputs import IdentifierInput  # the single check's own validation
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    TokenisedIdentifier,
    identifiers_tokenise,
)

REF_MAX_LENGTH = 200
READ_BLOCK_BYTES = 64 * 1024
# Far above a row of the most identifiers a single check takes; a longer line is not a row.
MAX_LINE_BYTES = 256 * 1024


@dataclass
class ParsedRow:
    """One input row as read: its ref and identifier dicts, or why it cannot be checked."""

    ref: str
    identifiers: list[dict] = field(default_factory=list)
    error: str = ""


def file_error(message: str) -> DomainError:
    """A 400 naming the file field; the message never quotes the file's contents."""
    return DomainError(gettext("The file cannot be read as bulk input."), fields={"file": [message]})


# --- reading the upload ----------------------------------------------------------------


def _byte_lines(upload: IO[bytes]) -> Iterator[bytes]:
    """The upload's lines, read a block at a time; a line may not grow past MAX_LINE_BYTES."""
    blocks = (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(READ_BLOCK_BYTES), b"")
    )
    buffer = b""
    for block in blocks:
        *lines, buffer = (buffer + block).split(b"\n")
        for line in lines:
            yield line + b"\n"
        if len(buffer) > MAX_LINE_BYTES:
            raise file_error(gettext("A line is longer than %(limit)d bytes.") % {"limit": MAX_LINE_BYTES})
    if buffer:
        yield buffer


def _text_lines(upload: IO[bytes]) -> Iterator[str]:
    """Decode the upload line by line, so a large file is never held in memory."""
    for number, line in enumerate(_byte_lines(upload), start=1):
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise file_error(gettext("Line %(number)d is not valid UTF-8.") % {"number": number}) from None
        if text.strip():
            yield text


def rows_parsed(upload: IO[bytes]) -> Iterator[ParsedRow]:
    """Rows of a CSV (a ref column and identifier-type columns) or JSONL file, told apart by the first line."""
    lines = _text_lines(upload)
    first = next(lines, None)
    if first is None:
        raise file_error(gettext("The file is empty."))
    rows = _jsonl_rows(first, lines) if _is_jsonl(upload, first) else _csv_rows(first, lines)
    yield from map(_nul_refused, rows)


JSON_NAME_SUFFIXES = (".jsonl", ".ndjson", ".json")
JSON_CONTENT_TYPES = frozenset(
    {"application/jsonl", "application/x-ndjson", "application/x-jsonlines", "application/json"}
)


def _is_jsonl(upload: IO[bytes], first: str) -> bool:
    """JSONL when the upload says so (its name or content type) or its first line looks like JSON.

    A malformed JSON file (an array, a truncated object) is then answered about JSON,
    never with a complaint about a missing CSV header.
    """
    name = (getattr(upload, "name", "") or "").lower()
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if name.endswith(".csv") or content_type == "text/csv":
        return False
    return (
        name.endswith(JSON_NAME_SUFFIXES)
        or content_type in JSON_CONTENT_TYPES
        or first.lstrip()[:1] in ("{", "[")
    )


def _nul_refused(row: ParsedRow) -> ParsedRow:
    """A row with a NUL anywhere (ref, types, values) is an error row: PostgreSQL cannot store one."""
    if nul_path({"ref": row.ref, "identifiers": row.identifiers}):
        return ParsedRow(
            ref="", error=gettext("The row contains a NUL character; remove it and send the row again.")
        )
    return row


def _jsonl_rows(first: str, lines: Iterator[str]) -> Iterator[ParsedRow]:
    """One row per JSON line; a line that is not an object is an error row."""
    for number, line in enumerate(_chain(first, lines), start=1):
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if not isinstance(item, dict):
            # A bad first line means this is not JSONL at all; a bad later line is one bad row.
            if number == 1:
                raise file_error(
                    gettext(
                        "The first line is not a JSON object: JSONL has one object per line, "
                        'like {"ref": "...", "identifiers": [...]}, not a JSON array.'
                    )
                ) from None
            yield ParsedRow(
                ref="", error=gettext("Line %(number)d is not a JSON object.") % {"number": number}
            )
            continue
        yield _jsonl_row(item)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    """Put the peeked first line back in front of the rest."""
    yield first
    yield from rest


def _jsonl_row(item: object) -> ParsedRow:
    """A decoded JSON line as a row: a ref and a list of identifier objects."""
    if not isinstance(item, dict):
        return ParsedRow(ref="", error=gettext("The line is not a JSON object."))
    ref = item.get("ref")
    identifiers = item.get("identifiers")
    if not isinstance(ref, str) or not ref or len(ref) > REF_MAX_LENGTH:
        return ParsedRow(ref="", error=_ref_length_error())
    if not isinstance(identifiers, list) or not all(isinstance(i, dict) for i in identifiers):
        return ParsedRow(ref=ref, error=gettext("Give identifiers as a list of objects."))
    return ParsedRow(ref=ref, identifiers=identifiers)


def _ref_length_error() -> str:
    return gettext("Give a ref of 1 to %(most)d characters.") % {"most": REF_MAX_LENGTH}


def _csv_rows(first: str, lines: Iterator[str]) -> Iterator[ParsedRow]:
    """One row per CSV record after the header; a broken record is an error row."""
    reader = csv.reader(_chain(first, lines))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error:
        raise file_error(gettext("The header line is not valid CSV.")) from None
    _csv_header_check(header)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield ParsedRow(
                ref="", error=gettext("Line %(number)d is not valid CSV.") % {"number": reader.line_num}
            )
            continue
        yield _csv_row(header, cells)


def _csv_header_check(header: list[str]) -> None:
    """Refuse a header without ref or with columns that are not identifier types."""
    if "ref" not in header:
        raise file_error(
            gettext(
                "The CSV header has no ref column; send CSV with a header (ref and identifier types) or JSONL."
            )
        )
    unknown = [
        name
        for name in header
        if name != "ref" and name not in SIMPLE_TYPES and name not in COMPOSITE_COLUMNS
    ]
    if unknown or len(set(header)) != len(header):
        raise file_error(
            gettext(
                "CSV columns are ref and identifier types, each once: %(types)s; "
                "a composite takes one column per field: %(columns)s."
            )
            % {"types": ", ".join(SIMPLE_TYPES), "columns": ", ".join(sorted(COMPOSITE_COLUMNS))}
        )


def _csv_row(header: list[str], cells: list[str]) -> ParsedRow:
    """A CSV record as a row: its ref and one raw identifier per non-empty cell."""
    if len(cells) != len(header):
        return ParsedRow(
            ref="",
            error=gettext("The row has %(cells)d cells; the header has %(header)d.")
            % {"cells": len(cells), "header": len(header)},
        )
    row = dict(zip(header, cells))
    ref = row.pop("ref").strip()
    if not ref or len(ref) > REF_MAX_LENGTH:
        return ParsedRow(ref="", error=_ref_length_error())
    simple = [{"type": t, "value": v} for t, v in row.items() if t in SIMPLE_TYPES and v.strip()]
    return ParsedRow(ref=ref, identifiers=simple + composites_from_columns(row))


# --- tokenising rows on arrival --------------------------------------------------------


_TYPES = frozenset(IdentifierType.values)
_TOKEN_FIELDS = frozenset({"type", "token", "key_version"})
_TOKEN_HEX = re.compile(rf"[0-9a-fA-F]{{{TOKEN_HEX_LENGTH}}}")


class RowTokeniser:
    """Validate a row's identifiers as the single check does and seal its tokens, for one upload."""

    def __init__(self, *, default_country: str):
        # One serializer for the whole upload: building one per identifier deep-copies its
        # fields, which cost ten times the validation itself.
        self._input = IdentifierInput()
        self._default_country = default_country
        self._keys = token_storage_keys()
        self._most = settings.HUB_MAX_IDENTIFIERS_PER_REQUEST
        # Raw identifiers tokenised since the last take_raw(), for sweep detection; in memory only.
        self._raw: list[TokenisedIdentifier] = []

    def take_raw(self) -> list[TokenisedIdentifier]:
        """The raw identifiers tokenised since the last call (their canonical values: never stored)."""
        raw, self._raw = self._raw, []
        return raw

    def tokens(self, parsed: ParsedRow) -> tuple[list[dict], str]:
        """The row's tokens in storage form, or an error message that never quotes a value."""
        if parsed.error:
            return [], parsed.error
        if not 1 <= len(parsed.identifiers) <= self._most:
            return [], gettext("Give 1 to %(most)d identifiers.") % {"most": self._most}
        items: list[RawIdentifier | SuppliedToken] = []
        for index, identifier in enumerate(parsed.identifiers):
            item: RawIdentifier | SuppliedToken | None = _supplied_token(identifier)
            if item is None:
                try:
                    item = self._input.to_raw(self._input.run_validation(identifier))
                except ValidationError as exc:
                    path, message = _first_error(exc.detail)
                    return [], f"identifiers[{index}]{path}: {message}"
            items.append(item)
        try:
            tokenised = identifiers_tokenise(identifiers=items, default_country=self._default_country)
        except DomainError as exc:
            path, message = _first_error((exc.fields or {}).get("identifiers") or exc.message)
            return [], f"identifiers{path}: {message}"
        self._raw += [t for t in tokenised if t.canonical is not None]
        return [{"type": t.type, "token": token_seal(t.token, keys=self._keys)} for t in tokenised], ""


def _supplied_token(identifier: dict) -> SuppliedToken | None:
    """A plainly well-formed token without the serializer's cost (files of supplied tokens are
    mostly these); anything else, None, goes through the serializer, which says what is wrong."""
    if identifier.keys() != _TOKEN_FIELDS:
        return None
    kind, token, version = identifier["type"], identifier["token"], identifier["key_version"]
    # Exact types only: a subset of what the serializer accepts, with the same outcome.
    if (
        type(kind) is str
        and kind in _TYPES
        and type(token) is str
        and _TOKEN_HEX.fullmatch(token)
        and type(version) is int
        and version >= 1
    ):
        return SuppliedToken(type=kind, token=token.lower(), key_version=version)
    return None


def _first_error(errors: object) -> tuple[str, str]:
    """The path and first message of nested DRF-style errors (whose messages never echo values)."""
    if isinstance(errors, dict) and errors:
        key, nested = next(iter(errors.items()))
        path, message = _first_error(nested)
        return (f"[{key}]" if str(key).isdigit() else f".{key}") + path, message
    if isinstance(errors, list) and errors:
        return _first_error(errors[0])
    return "", str(errors)
