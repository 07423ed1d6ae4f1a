"""Checks, reports and watchlist entries of one seller; tokens only unless a call says raw=True."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hubctl.client.base import checked_uuid, evidence_file
from hubctl.client.tokens import IdentifierLike, TokenCalls


@dataclass(frozen=True)
class ReportedRight:
    """The right a notice rests on: its registration number, territory (ISO 3166-1 alpha-2) and holder."""

    registration_number: str = ""
    territory: str = ""
    holder: str = ""


class SellerCalls(TokenCalls):
    """What a member sends the hub about one seller."""

    def check(
        self,
        identifiers: Iterable[IdentifierLike],
        *,
        purpose: str,
        raw: bool = False,
        default_country: str | None = None,
    ) -> dict:
        """Check one seller for a purpose your organisation may state; tokens only unless raw=True."""
        items = self._identifier_items(identifiers, raw=raw, default_country=default_country)
        return self._call("POST", "/api/v1/checks", {"identifiers": items, "purpose": purpose})

    def check_tokens(self, tokens: Iterable[dict], *, purpose: str) -> dict:
        """Check one seller by tokens derived earlier with tokenise()."""
        items = [{"type": t["type"], "token": t["token"], "key_version": t["key_version"]} for t in tokens]
        return self._call("POST", "/api/v1/checks", {"identifiers": items, "purpose": purpose})

    def check_batch(self, sellers: list[list[dict]], *, purpose: str) -> list[dict]:
        """Check several sellers in one request (each seller's identifier items as check() sends them);
        the answers come back in the sellers' order. At most the hub's HUB_CHECK_BATCH_MAX_SELLERS, naming
        at most its HUB_CHECK_BATCH_MAX_IDENTIFIERS identifiers in all."""
        body = {"purpose": purpose, "sellers": [{"identifiers": items} for items in sellers]}
        return self._call("POST", "/api/v1/checks/batch", body)["results"]

    def raw_items(self, identifiers: Iterable[IdentifierLike], *, default_country: str | None) -> list[dict]:
        """One seller's raw identifier items as check(raw=True) sends them, validated locally first."""
        return self._identifier_items(identifiers, raw=True, default_country=default_country)

    def token_items(self, tokens: Iterable[dict]) -> list[dict]:
        """The identifier items of tokens derived earlier with tokenise(), as check_tokens() sends them."""
        return [{"type": t["type"], "token": t["token"], "key_version": t["key_version"]} for t in tokens]

    def report(
        self,
        identifiers: Iterable[IdentifierLike],
        *,
        ip_type: str,
        category: str,
        verification_level: str,
        statement: str,
        evidence_paths: Iterable[str | Path] = (),
        right: ReportedRight = ReportedRight(),
        authenticity_guaranteed: bool,
        raw: bool = False,
        default_country: str | None = None,
    ) -> dict:
        """Report one infringer with evidence; tokens only unless raw=True.

        The hub refuses a notice without the reporter's written guarantee that it is authentic."""
        evidence = [
            evidence_file(path) for path in evidence_paths
        ]  # unreadable files fail before any request
        body = {
            "identifiers": self._identifier_items(identifiers, raw=raw, default_country=default_country),
            "ip_type": ip_type,
            "category": category,
            "verification_level": verification_level,
            "statement": statement,
            "evidence": evidence,
            "right_registration_number": right.registration_number,
            "right_territory": right.territory,
            "right_holder": right.holder,
            "authenticity_guaranteed": authenticity_guaranteed,
        }
        return self._call("POST", "/api/v1/reports", body)

    def parcel_event(
        self,
        identifiers: Iterable[IdentifierLike],
        *,
        kind: str,
        occurred_at: str,
        origin_region: str,
        category: str,
        report_id: str | None = None,
        check_id: str | None = None,
        raw: bool = False,
        default_country: str | None = None,
    ) -> dict:
        """Record a parcel seized, refused, returned or held at customs (couriers); tokens only unless raw=True.

        `report_id` names one of your reports it is evidence toward, or `check_id` your check that matched."""
        body: dict = {
            "kind": kind,
            "occurred_at": occurred_at,
            "origin_region": origin_region,
            "category": category,
            "identifiers": self._identifier_items(identifiers, raw=raw, default_country=default_country),
        }
        if report_id:
            body["report_id"] = str(checked_uuid(report_id, "report"))
        if check_id:
            body["check_id"] = str(checked_uuid(check_id, "check"))
        return self._call("POST", "/api/v1/parcel-events", body)

    def watch(
        self,
        identifiers: Iterable[IdentifierLike],
        *,
        ref: str,
        purpose: str,
        raw: bool = False,
        default_country: str | None = None,
    ) -> dict:
        """Put one of your sellers on your watchlist for a purpose; tokens only unless raw=True."""
        items = self._identifier_items(identifiers, raw=raw, default_country=default_country)
        return self._call("POST", "/api/v1/watchlist", {"identifiers": items, "ref": ref, "purpose": purpose})

    def report_get(self, report_id: str) -> dict:
        """One of your organisation's reports."""
        return self._call("GET", f"/api/v1/reports/{checked_uuid(report_id, 'report')}")
