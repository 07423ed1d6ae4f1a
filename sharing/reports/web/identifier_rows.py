"""A seller's identifiers as numbered rows of a plain form: the one way every page takes them.

Row N posts `identifier-N-type`, `identifier-N-value` and `identifier-N-country` for a simple type,
and `identifier-N-<type>-<field>` for each field of a composite type (person, registered_address);
`rows` says how many rows the form has. Every input is rendered for every row, so the form works
without JavaScript: the inputs that do not apply to the chosen type are ignored (with JavaScript,
static/hub/identifier-rows.js hides them). A filled row becomes one of the API's `identifiers`
({type, value, country?}; a composite's value is the object of its fields), which the page validates
with the API's own input serializer and hands to the API's service; the messages that come back
(`identifiers.K.value.date_of_birth`) go to the field of the row they name.

Lives with the report pages, the lowest layer that uses it, so the court's and the analyst's pages
can share it (sharing sub-packages are layered: pyproject.toml's import contracts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.http import QueryDict

from hubcore.identifiers.composites import COMPOSITE_FIELDS, is_composite
from hubcore.identifiers.types import IdentifierType
from sharing.models.identifiers import COMPOSITE_FIELD_HINTS, COMPOSITE_FIELD_LABELS
from sharing.reports.services.identifier_check import (
    COUNTRY_CHOICES,
    COUNTRY_TYPES,
    FORM_TYPES,
    TYPE_LABELS,
    IdentifierVerdict,
    field_problem,
    identifier_verdict,
)
from sharing.subjects.services.identifier_problems import observed_hint

DEFAULT_TYPE = IdentifierType.PHONE.value


@dataclass
class IdentifierRow:
    index: int
    type: str = DEFAULT_TYPE
    value: str = ""
    country: str = ""
    # A composite's fields as typed, by "<type>-<field>" (every composite's, whichever type is chosen).
    parts: dict[str, str] = field(default_factory=dict)
    # Messages by what they are about: "type", "value", "country" or "<type>-<field>".
    errors: dict[str, list[str]] = field(default_factory=dict)
    verdict: IdentifierVerdict | None = None

    @property
    def composite(self) -> bool:
        return self.type in COMPOSITE_TYPES

    @property
    def fields(self) -> dict[str, str]:
        """The chosen composite's fields as the API takes them; a blank field is a field not given."""
        if not self.composite:
            return {}
        return {
            name: self.parts.get(f"{self.type}-{name}", "")
            for name in COMPOSITE_FIELDS[IdentifierType(self.type)]
            if self.parts.get(f"{self.type}-{name}", "").strip()
        }

    @property
    def filled(self) -> bool:
        return bool(self.fields) if self.composite else bool(self.value.strip())

    @property
    def composites(self) -> list[dict]:
        """Each composite type's group of inputs, for the template (all of them: no script needed)."""
        return [
            {
                "type": kind,
                "label": TYPE_LABELS[IdentifierType(kind)],
                "chosen": kind == self.type,
                "inputs": [
                    {
                        "key": f"{kind}-{name}",
                        "name": name,
                        "label": COMPOSITE_FIELD_LABELS[name],
                        "hint": COMPOSITE_FIELD_HINTS.get(name, ""),
                        "text": self.parts.get(f"{kind}-{name}", ""),
                        "errors": self.errors.get(f"{kind}-{name}", []) if kind == self.type else [],
                    }
                    for name in COMPOSITE_FIELDS[IdentifierType(kind)]
                ],
            }
            for kind in COMPOSITE_TYPES
        ]

    @property
    def row_errors(self) -> list[str]:
        """The messages about the row as a whole (its type, or a composite's value as one)."""
        return self.errors.get("type", []) + (self.errors.get("value", []) if self.composite else [])

    @property
    def invalid(self) -> bool:
        return bool(self.errors) or (self.verdict is not None and not self.verdict.valid)


COMPOSITE_TYPES = [kind.value for kind in IdentifierType if is_composite(kind)]


def type_choices() -> list[tuple[str, str]]:
    """(value, label) of the types a row offers, composite ones too, labelled in the reader's language."""
    return [(kind.value, str(TYPE_LABELS[kind])) for kind in FORM_TYPES]


def rows_blank(count: int) -> list[IdentifierRow]:
    return [IdentifierRow(index=i) for i in range(count)]


def rows_posted(post: QueryDict, *, count: int) -> list[IdentifierRow]:
    """The rows as posted (what was typed, to show back in the same form); `count` unless `rows` says."""
    try:
        count = int(post.get("rows", count))
    except ValueError:
        pass
    count = min(max(count, 1), settings.HUB_MAX_IDENTIFIERS_PER_REQUEST)
    return [
        IdentifierRow(
            index=i,
            type=post.get(f"identifier-{i}-type", DEFAULT_TYPE)[:40],
            value=post.get(f"identifier-{i}-value", "")[:1000],
            country=post.get(f"identifier-{i}-country", "").strip()[:10],
            parts={
                f"{kind}-{name}": post.get(f"identifier-{i}-{kind}-{name}", "")[:1000]
                for kind in COMPOSITE_TYPES
                for name in COMPOSITE_FIELDS[IdentifierType(kind)]
            },
        )
        for i in range(count)
    ]


def rows_more(rows: list[IdentifierRow]) -> list[IdentifierRow]:
    """The rows and one blank row more, up to the most identifiers one request takes."""
    if len(rows) >= settings.HUB_MAX_IDENTIFIERS_PER_REQUEST:
        return rows
    return rows + [IdentifierRow(index=len(rows))]


def rows_filled(rows: list[IdentifierRow]) -> list[IdentifierRow]:
    return [row for row in rows if row.filled]


def identifiers_body(rows: list[IdentifierRow]) -> list[dict]:
    """The API's `identifiers` list: one {type, value, country?} per filled row, in order."""
    return [_as_api(row) for row in rows_filled(rows)]


def _as_api(row: IdentifierRow) -> dict:
    if row.composite:
        return {"type": row.type, "value": row.fields}
    return {"type": row.type, "value": row.value} | ({"country": row.country} if row.country else {})


def value_posted(identifier_type: str, post: QueryDict) -> str | dict[str, str]:
    """One identifier's value as the live check posts it: text, or a composite's fields by name."""
    if identifier_type in COMPOSITE_TYPES:
        return {name: post.get(name, "")[:1000] for name in COMPOSITE_FIELDS[IdentifierType(identifier_type)]}
    return post.get("value", "")


def errors_to_rows(rows: list[IdentifierRow], errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put each `identifiers.K....` message on the field of the row it came from (K counts filled
    rows only); return the other messages. A composite field's message is led by the field's label."""
    filled = rows_filled(rows)
    rest: dict[str, list[str]] = {}
    for name, messages in errors.items():
        parts = name.split(".")
        if (
            len(parts) < 3
            or parts[0] != "identifiers"
            or not parts[1].isdigit()
            or int(parts[1]) >= len(filled)
        ):
            rest[name] = messages
            continue
        row, about = filled[int(parts[1])], parts[2:]
        if about[0] == "value" and len(about) == 2 and row.composite and about[1] in row_field_names(row):
            key, shown = f"{row.type}-{about[1]}", [field_problem(about[1], m) for m in messages]
        else:
            key = about[0] if about[0] in ("type", "value", "country") else "type"
            # Already in the reader's language (identifier_problems); the hint naming the observed
            # type's API code reads here with the label the page's type chooser shows.
            api_hint, page_hint = observed_hint(row.type), observed_hint(row.type, labelled=True)
            shown = [page_hint if page_hint and m == api_hint else m for m in messages]
        row.errors.setdefault(key, []).extend(shown)
    return rest


def row_field_names(row: IdentifierRow) -> tuple[str, ...]:
    return tuple(COMPOSITE_FIELDS[IdentifierType(row.type)]) if row.composite else ()


def rows_checked(rows: list[IdentifierRow], *, default_country: str) -> list[IdentifierRow]:
    """Each filled row with the live check's verdict, as the page shows it after a post."""
    for row in rows_filled(rows):
        row.verdict = identifier_verdict(
            identifier_type=row.type,
            value=row.fields if row.composite else row.value,
            country=row.country,
            default_country=default_country,
        )
        if row.verdict.fields:  # the verdict's per-field messages where the service gave none
            for name, message in row.verdict.fields.items():
                row.errors.setdefault(f"{row.type}-{name}", [message])
    return rows


def rows_unechoed(rows: list[IdentifierRow]) -> list[IdentifierRow]:
    """The rows with what was typed dropped (type, country and messages kept): for a page whose
    values are never shown again, such as a canary's."""
    return [
        IdentifierRow(index=row.index, type=row.type, country=row.country, errors=row.errors) for row in rows
    ]


def rows_carried(rows: list[IdentifierRow]) -> list[tuple[str, str]]:
    """The filled rows as hidden inputs (name, value), renumbered: a form that passes them on."""
    carried = [("rows", str(max(len(rows_filled(rows)), 1)))]
    for i, row in enumerate(rows_filled(rows)):
        carried.append((f"identifier-{i}-type", row.type))
        if row.composite:
            carried += [(f"identifier-{i}-{row.type}-{name}", text) for name, text in row.fields.items()]
        else:
            carried.append((f"identifier-{i}-value", row.value))
            if row.country:
                carried.append((f"identifier-{i}-country", row.country))
    return carried


def rows_context(
    rows: list[IdentifierRow], *, own_country: str, add_url: str = "", check_url: str = ""
) -> dict:
    """What templates/_identifier_rows.html needs; `add_url` offers "Add another identifier" (no script),
    `check_url` the live check as each row is typed."""
    return {
        "identifier_rows": rows,
        "identifier_types": type_choices(),
        "identifier_country_types": sorted(COUNTRY_TYPES),
        "identifier_countries": COUNTRY_CHOICES,
        "identifier_own_country": own_country,
        "identifier_add_url": add_url,
        "identifier_check_url": check_url,
    }
