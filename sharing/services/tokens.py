"""Turn raw identifiers into tokens; the raw values go no further than this module's callers."""
from __future__ import annotations

from dataclasses import dataclass

from hub.errors import DomainError
from hub.keys import token_keys
from sharing.crypto.tokens import token_derive
from sharing.identifiers import IdentifierInvalid, normalise


@dataclass(frozen=True)
class RawIdentifier:
    type: str
    value: str
    country: str | None = None


@dataclass(frozen=True)
class TokenisedIdentifier:
    type: str
    token: str
    key_version: int
    normaliser_version: int


def identifiers_tokenise(*, identifiers: list[RawIdentifier], default_country: str) -> list[TokenisedIdentifier]:
    """Normalise and tokenise every identifier, or fail naming each bad one by its index."""
    keys = token_keys()
    errors: dict[str, dict[str, list[str]]] = {}
    tokenised: list[TokenisedIdentifier] = []
    for index, raw in enumerate(identifiers):
        try:
            canonical = normalise(raw.type, raw.value, default_country=raw.country or default_country)
        except IdentifierInvalid as exc:
            errors[str(index)] = {"value": [exc.message]}
            continue
        token = token_derive(identifier_type=canonical.type, canonical=canonical.value, keys=keys)
        tokenised.append(TokenisedIdentifier(canonical.type, token.value, token.key_version, canonical.version))
    if errors:
        raise DomainError("Some identifiers are invalid.", fields={"identifiers": errors})
    return _deduplicated(tokenised)


def _deduplicated(tokenised: list[TokenisedIdentifier]) -> list[TokenisedIdentifier]:
    # Two spellings of one phone number are one identifier, not two.
    seen: dict[str, TokenisedIdentifier] = {}
    for item in tokenised:
        seen.setdefault(item.token, item)
    return list(seen.values())
