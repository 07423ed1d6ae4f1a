"""Turn identifiers into tokens: raw values are normalised and evaluated here and go no further;
tokens that members derived obliviously are checked and taken as they are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from hub.errors import DomainError
from hub.keys import token_storage_keys
from hubcore.identifiers import Canonical, IdentifierInvalid, normalise
from sharing.crypto.tokens import Token, hub_oprf_key, token_lookup_forms, token_seal, tokens_evaluate
from sharing.models import IdentifierToken
from sharing.subjects.services.identifier_problems import problem_messages


@dataclass(frozen=True)
class RawIdentifier:
    type: str
    value: str | dict[str, str]  # an object of fields for a composite type
    country: str | None = None


@dataclass(frozen=True)
class SuppliedToken:
    """A token the member derived through the oblivious path; the hub never saw the value."""

    type: str
    token: str
    key_version: int


@dataclass(frozen=True)
class TokenisedIdentifier:
    type: str
    token: str
    key_version: int
    # Only for raw input: the canonical value, kept in memory for sweep detection, never stored.
    canonical: str | None = None


def identifiers_tokenise(
    *, identifiers: list[RawIdentifier | SuppliedToken], default_country: str
) -> list[TokenisedIdentifier]:
    """Normalise and tokenise every identifier, or fail naming each bad one by its index."""
    errors: dict[str, dict[str, list[str] | dict[str, list[str]]]] = {}
    current_version = hub_oprf_key().version
    # Each item's slot: a supplied token as it is taken, or the canonical form a raw value reached.
    slots: list[TokenisedIdentifier | Canonical] = []
    for index, item in enumerate(identifiers):
        try:
            slots.append(
                _supplied(item, current_version)
                if isinstance(item, SuppliedToken)
                else normalise(item.type, item.value, default_country=item.country or default_country)
            )
        except IdentifierInvalid as exc:
            errors[str(index)] = (
                {"token": problem_messages(exc)}
                if isinstance(item, SuppliedToken)
                else {"value": problem_messages(exc, identifier_type=str(item.type))}
            )
    if errors:
        raise DomainError(gettext("Some identifiers are invalid."), fields={"identifiers": errors})
    # One OPRF batch for every raw value: the key is loaded and checked once, not once per identifier.
    raw = [slot for slot in slots if isinstance(slot, Canonical)]
    tokens = iter(tokens_evaluate([(canonical.type, canonical.value) for canonical in raw]))
    tokenised = [_evaluated(slot, next(tokens)) if isinstance(slot, Canonical) else slot for slot in slots]
    return _deduplicated(tokenised)


def _supplied(item: SuppliedToken, current_version: int) -> TokenisedIdentifier:
    if item.key_version != current_version:
        raise IdentifierInvalid(
            gettext_noop(
                "Token key version %(given)s is not current; derive tokens under version %(current)s."
            ),
            given=item.key_version,
            current=current_version,
        )
    return TokenisedIdentifier(item.type, item.token.lower(), item.key_version)


def _evaluated(canonical: Canonical, token: Token) -> TokenisedIdentifier:
    return TokenisedIdentifier(canonical.type, token.value, token.key_version, canonical.value)


def _deduplicated(tokenised: list[TokenisedIdentifier]) -> list[TokenisedIdentifier]:
    # Two spellings of one phone number are one identifier, not two. Keyed by type too: one token
    # claimed under two types is two identifiers (stored_tokens_of), and input order decides nothing.
    seen: dict[tuple[str, str], TokenisedIdentifier] = {}
    for item in tokenised:
        seen.setdefault((item.type, item.token), item)
    return list(seen.values())


def stored_token_rows(tokens: list[str]) -> list[IdentifierToken]:
    """Every stored row of these tokens, of whatever type, whichever storage key each is under.

    One token may have a row per type (IdentifierToken's `token_once_per_type`): see stored_tokens_of.
    Each row carries its bare token as `bare_token`. For type-blind uses only: a court's bare tokens,
    a legal hold on a token. Anything that reveals a match uses stored_tokens_of.
    """
    keys = token_storage_keys()
    by_form = {form: token for token in tokens for form in token_lookup_forms(token, keys=keys)}
    # With its subject, which a check names in its audit row: one join rather than a second query.
    rows = list(IdentifierToken.objects.filter(token__in=list(by_form)).select_related("subject"))
    for row in rows:
        row.bare_token = by_form[row.token]
    return rows


def stored_tokens_of(items: Iterable[TokenisedIdentifier]) -> list[IdentifierToken]:
    """The stored rows of these identifiers, each only under the type it is asked for.

    A token supplied through the oblivious path comes with the type its client claims; the hub cannot
    see which type the client put into the PRF input. So rows are kept per (type, token): a client that
    claims a verified phone's token as `observed_phone` (or as a courier account) reaches, or creates,
    a row of that type only, never the phone's, and an observed sighting never reveals, links to or
    hides a verified identifier. An empty type (a court's bare token) matches every row of the token.
    """
    wanted: dict[str, set[str]] = defaultdict(set)
    for item in items:
        wanted[item.token].add(item.type)
    return [
        row
        for row in stored_token_rows(list(wanted))
        if "" in wanted[row.bare_token] or row.identifier_type in wanted[row.bare_token]
    ]


def stored_token_get_or_create(item: TokenisedIdentifier) -> IdentifierToken:
    """The row of this identifier under its own type, created if there is none (see stored_tokens_of)."""
    for row in stored_tokens_of([item]):
        return row
    row, _ = IdentifierToken.objects.get_or_create(
        token=token_seal(item.token, keys=token_storage_keys()),
        identifier_type=item.type,
        defaults={"key_version": item.key_version},
    )
    return row
