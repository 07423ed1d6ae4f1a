"""Local validation and oblivious tokens: identifiers are normalised and blinded here, never sent raw."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hubcore import oprf
from hubcore.identifiers import Canonical, IdentifierInvalid, IdentifierType, normalise
from hubcore.identifiers.composites import COMPOSITE_FIELDS
from hubcore.tokens import token_input
from hubctl.client.base import ClientBase
from hubctl.errors import HubError, IdentifierError

COMPOSITE_TYPES = frozenset(kind.value for kind in COMPOSITE_FIELDS)  # their fields carry any country

EVALUATE_PATH = "/api/v1/tokens/evaluate"
ELEMENT_HEX_LENGTH = 2 * oprf.ELEMENT_BYTES
_COUNTRY = re.compile(r"[A-Za-z]{2}")

# (type, value) or (type, value, country): what callers hand to tokenise, check and report.
IdentifierLike = Sequence[str | None]


@dataclass(frozen=True)
class _Item:
    type: str
    value: str | dict[str, str]  # an object of fields for a composite type
    country: str | None = None


class TokenCalls(ClientBase):
    """The organisation's defaults, local normalisation and the oblivious evaluation of tokens."""

    EVALUATE_BATCH = 1000  # the hub's limit of blinded elements per evaluate call

    def organisation(self) -> dict:
        """Your organisation as the hub knows it (name, kind, country, ...)."""
        return self._call("GET", "/api/v1/organisation")

    def organisation_country(self) -> str | None:
        """Your organisation's country, fetched once: the hub's default for raw identifiers."""
        if self._organisation_country is None:
            self._organisation_country = self.organisation().get("country") or ""
        return self._organisation_country or None

    def canonicalise(
        self, identifiers: Iterable[IdentifierLike], *, default_country: str | None = None
    ) -> list[Canonical]:
        """Normalise every identifier locally, or raise IdentifierError for the first bad one."""
        items = _items(identifiers)
        country = self._default_country(items, default_country)
        return [_normalised(index, item, country) for index, item in enumerate(items)]

    def _default_country(self, items: list[_Item], explicit: str | None) -> str | None:
        """The explicit default, else the organisation's: the hub normalises raw values with it."""
        if explicit:
            if not _COUNTRY.fullmatch(explicit.strip()):
                raise IdentifierError(None, None, "The country must be a two-letter ISO 3166-1 code.")
            return explicit.strip().upper()
        if all(item.country or item.type in COMPOSITE_TYPES for item in items):
            return None  # every identifier names its own country or needs none; no need to ask the hub
        return self.organisation_country()

    def evaluate(self, blinded: list[bytes]) -> tuple[list[bytes], int]:
        """Have the hub evaluate blinded elements (in batches); return them and the key version."""
        if not blinded:
            raise ValueError("Nothing to evaluate.")
        evaluated: list[bytes] = []
        versions: set[int] = set()
        for start in range(0, len(blinded), self.EVALUATE_BATCH):
            chunk = blinded[start : start + self.EVALUATE_BATCH]
            answer = self._call(
                "POST", EVALUATE_PATH, {"blinded_elements": [element.hex() for element in chunk]}
            )
            elements, version = _evaluated(answer, len(chunk))
            evaluated += elements
            versions.add(version)
        if len(versions) != 1:
            # Tokens under two keys would never match each other; the caller should simply retry.
            raise HubError(
                None, "key_rotated", "The hub's token key changed during the evaluation; try again."
            )
        return evaluated, versions.pop()

    def tokenise(
        self, identifiers: Iterable[IdentifierLike], *, default_country: str | None = None
    ) -> list[dict]:
        """Derive tokens obliviously: normalise, blind, hub evaluates, finalise; values stay here."""
        canonicals = self.canonicalise(identifiers, default_country=default_country)
        inputs = [(c.type.value, token_input(identifier_type=c.type, canonical=c.value)) for c in canonicals]
        blinds, blinded = zip(*(oprf.blind(data) for _, data in inputs))
        evaluated, version = self.evaluate(list(blinded))
        return [
            {"type": kind, "token": _finalized(data, blind, element).hex(), "key_version": version}
            for (kind, data), blind, element in zip(inputs, blinds, evaluated)
        ]

    def _identifier_items(
        self, identifiers: Iterable[IdentifierLike], *, raw: bool, default_country: str | None
    ) -> list[dict]:
        """The request's identifier items: token form, or raw form after the same local validation."""
        if not raw:
            return self.tokenise(identifiers, default_country=default_country)
        items = _items(identifiers)
        self.canonicalise([(i.type, i.value, i.country) for i in items], default_country=default_country)
        return [_raw_item(item, default_country) for item in items]


def _items(identifiers: Iterable[IdentifierLike]) -> list[_Item]:
    """(type, value[, country]) tuples as items; at least one is needed."""
    items = []
    for index, identifier in enumerate(identifiers):
        if isinstance(identifier, (str, bytes)) or len(identifier) not in (2, 3):
            raise IdentifierError(
                index, None, "Give each identifier as (type, value) or (type, value, country)."
            )
        kind, value, *country = identifier
        items.append(_Item(str(kind).strip().lower(), value, country[0] if country else None))
    if not items:
        raise IdentifierError(None, None, "Give at least one identifier.")
    return items


def _normalised(index: int, item: _Item, default_country: str | None) -> Canonical:
    """normalise(), turning its error into one that names the index and type only."""
    try:
        return normalise(item.type, item.value, default_country=item.country or default_country)
    except IdentifierInvalid as exc:
        known = item.type if item.type in IdentifierType.values else None
        fields = getattr(exc, "fields", None)  # a composite names each bad field
        reason = (
            "; ".join(f"{known}.{name}: {message}" for name, message in fields.items())
            if fields
            else exc.message
        )
        raise IdentifierError(index, known, reason) from None


def _raw_item(item: _Item, default_country: str | None) -> dict:
    """A raw-form identifier; without a country the hub uses the organisation's."""
    entry = {"type": item.type, "value": item.value}
    country = item.country or default_country
    if country:
        entry["country"] = country.strip().upper()
    return entry


def _finalized(data: bytes, blind: bytes, element: bytes) -> bytes:
    """oprf.finalize; an invalid evaluated element is the hub's fault, reported as a HubError."""
    try:
        return oprf.finalize(data, blind, element)
    except oprf.OprfError as exc:
        raise HubError(
            None, "bad_response", f"The hub returned an unusable evaluated element: {exc}."
        ) from None


def _evaluated(answer: dict, expected: int) -> tuple[list[bytes], int]:
    """Check and decode an evaluate answer: one 32-byte element per blinded one, and a key version."""
    elements = answer.get("evaluated_elements")
    version = answer.get("key_version")
    if not isinstance(elements, list) or len(elements) != expected or type(version) is not int:
        raise HubError(
            None,
            "bad_response",
            f"The hub's evaluate answer does not hold {expected} elements and a key version.",
        )
    try:
        decoded = [bytes.fromhex(element) for element in elements if len(element) == ELEMENT_HEX_LENGTH]
    except (TypeError, ValueError):
        decoded = []
    if len(decoded) != expected:
        raise HubError(None, "bad_response", "The hub's evaluate answer holds malformed elements.")
    return decoded, version
