"""Court disclosure: the court's key, orders, officers' approvals and the sealed package."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from hubctl.client.base import checked_uuid, evidence_file
from hubctl.client.tokens import IdentifierLike, TokenCalls


class DisclosureCalls(TokenCalls):
    """What court clerks and operator disclosure officers ask of the hub."""

    def encryption_key_set(self, public_key: bytes) -> dict:
        """Register your court's X25519 public key (32 raw bytes); returns your organisation."""
        if len(public_key) != 32:
            raise ValueError("An X25519 public key is 32 bytes.")
        return self._call("PUT", "/api/v1/organisation/encryption-key", {"public_key": public_key.hex()})

    def disclosure_request(
        self,
        *,
        case_number: str,
        issuing_court: str,
        legal_basis: str,
        scope: dict,
        deadline: str,
        order_document: str | Path,
    ) -> dict:
        """File a court order for disclosure; scope holds reports, subjects, tokens, identifiers and fields."""
        body = {
            "case_number": case_number,
            "issuing_court": issuing_court,
            "legal_basis": legal_basis,
            "scope": scope,
            "deadline": deadline,
            "order_document": evidence_file(order_document),
        }
        return self._call("POST", "/api/v1/disclosure-requests", body)

    def disclosure_scope(
        self,
        *,
        fields: Iterable[str],
        reports: Iterable[str] = (),
        subjects: Iterable[str] = (),
        tokens: Iterable[str] = (),
        identifiers: Iterable[IdentifierLike] = (),
        default_country: str | None = None,
    ) -> dict:
        """A disclosure scope; identifiers are validated here and sent raw (the hub keeps only their tokens)."""
        identifiers = list(identifiers)
        scope: dict[str, list] = {
            "reports": [str(checked_uuid(r, "report")) for r in reports],
            "subjects": [str(checked_uuid(s, "subject")) for s in subjects],
            "tokens": [_token_hex(t) for t in tokens],
            "fields": list(fields),
        }
        if identifiers:  # the hub's identifiers field refuses an empty list
            scope["identifiers"] = self._identifier_items(
                identifiers, raw=True, default_country=default_country
            )
        return scope

    def disclosure_get(self, request_id: str) -> dict:
        """One disclosure request and its state."""
        return self._call("GET", _request_path(request_id))

    def disclosure_approve(self, request_id: str) -> dict:
        """Approve a disclosure request (officers); the second distinct officer's approval approves it."""
        return self._call("POST", f"{_request_path(request_id)}/approve")

    def package_download(self, request_id: str) -> bytes:
        """The sealed package (the envelope's bytes, as the hub sent them); each call uses up one download."""
        return self._call_bytes("GET", f"{_request_path(request_id)}/package")


def _request_path(request_id: str) -> str:
    """The API path of one disclosure request."""
    return f"/api/v1/disclosure-requests/{checked_uuid(request_id, 'disclosure request')}"


def _token_hex(token: str) -> str:
    """A token as the hub takes it in a scope: 128 lower-case hex digits."""
    text = str(token).strip().lower()
    if not re.fullmatch(r"[0-9a-f]{128}", text):
        raise ValueError("A token is 128 hexadecimal digits.")
    return text
