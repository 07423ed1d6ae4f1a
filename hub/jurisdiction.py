"""Jurisdictions and transfer bases as settings read them: ISO 3166-1 alpha-2 codes, and the
per-deployment table of where the hub's data may go and under which legal basis.

Here, in the wiring, because hub/settings.py parses HUB_DATA_RESIDENCY and HUB_TRANSFER_BASES with
it before any app is loaded; accounts and sharing read the parsed settings.
"""

from __future__ import annotations

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.env import ConfigurationError

# phonenumbers' region list is the ISO 3166-1 alpha-2 list the hub already ships (every territory with
# a numbering plan); "001" is its code for non-geographic numbers, not a country.
COUNTRY_CODES: frozenset[str] = frozenset(code for code in phonenumbers.SUPPORTED_REGIONS if code.isalpha())


class TransferBasis(models.TextChoices):
    """Legal bases for sending personal information abroad (PIPL Art. 38; GDPR Chapter V)."""

    SECURITY_ASSESSMENT = "security_assessment", _("Security assessment by the cyberspace authority")
    CERTIFICATION = "certification", _("Personal information protection certification")
    STANDARD_CONTRACT = "standard_contract", _("Standard contract")
    ADEQUACY = "adequacy", _("Adequacy decision")
    SCC = "scc", _("Standard contractual clauses")
    BINDING_CORPORATE_RULES = "binding_corporate_rules", _("Binding corporate rules")


def data_residency() -> str:
    """The deployment's residency, read when a row is made (a model field's default)."""
    from django.conf import settings  # at call time: settings.py imports this module

    return settings.HUB_DATA_RESIDENCY


def country_code_valid(code: str) -> bool:
    return code in COUNTRY_CODES


def residency_parse(name: str, raw: str) -> str:
    """One ISO 3166-1 alpha-2 code, upper case; a malformed one stops the hub."""
    code = raw.strip().upper()
    if not country_code_valid(code):
        raise ConfigurationError(f"{name} must be an ISO 3166-1 alpha-2 country code, not {raw!r}")
    return code


def transfer_bases_parse(name: str, raw: str, *, residency: str) -> dict[str, str]:
    """`HK:standard_contract,DE:scc` → {"HK": "standard_contract", "DE": "scc"}; fails loudly."""
    bases: dict[str, str] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        destination, _sep, basis = part.partition(":")
        code = residency_parse(name, destination)
        if basis.strip() not in TransferBasis.values:
            raise ConfigurationError(
                f"{name}: the basis for {code} must be one of {', '.join(TransferBasis.values)}, not {basis!r}"
            )
        if code == residency or code in bases:
            raise ConfigurationError(f"{name} names {code} twice or names the data's own residency")
        bases[code] = basis.strip()
    return bases
