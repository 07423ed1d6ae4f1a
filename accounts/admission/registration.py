"""Company registration numbers: validated by python-stdnum where it knows the country's number."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.utils.translation import gettext
from stdnum.exceptions import ValidationError as StdnumValidationError


@dataclass(frozen=True)
class Rule:
    module: str  # a python-stdnum module with compact() and validate()
    label: str


# Each module checked to exist in the installed python-stdnum (tests/accounts/test_admission.py).
RULES: dict[str, Rule] = {
    "CN": Rule("stdnum.cn.uscc", "unified social credit code (统一社会信用代码)"),
    "DE": Rule("stdnum.de.handelsregisternummer", "Handelsregisternummer"),
    "FR": Rule("stdnum.fr.siren", "SIREN number"),
    "US": Rule("stdnum.us.ein", "employer identification number (EIN)"),
    "JP": Rule("stdnum.jp.cn", "corporate number (法人番号)"),
    "KR": Rule("stdnum.kr.brn", "business registration number"),
    "AU": Rule("stdnum.au.acn", "Australian Company Number (ACN)"),
    "BR": Rule("stdnum.br.cnpj", "CNPJ"),
    "SG": Rule("stdnum.sg.uen", "Unique Entity Number (UEN)"),
    "CH": Rule("stdnum.ch.uid", "business identifier (UID)"),
    "DK": Rule("stdnum.dk.cvr", "CVR number"),
    "FI": Rule("stdnum.fi.ytunnus", "Y-tunnus"),
    "SE": Rule("stdnum.se.orgnr", "organisation number"),
    "NO": Rule("stdnum.no.orgnr", "organisation number"),
    "PL": Rule("stdnum.pl.regon", "REGON"),
    "RU": Rule("stdnum.ru.ogrn", "OGRN"),
    "TW": Rule("stdnum.tw.ubn", "unified business number"),
    "ES": Rule("stdnum.es.cif", "CIF"),
    "IT": Rule("stdnum.it.iva", "partita IVA"),
}


class RegistrationNumberError(ValueError):
    """Not a valid number under the country's rule; the message names the rule used."""


def registration_number_clean(*, country: str, number: str) -> str:
    """The number in its compact form, validated by the country's rule; else trimmed free-form text."""
    country = country.upper()
    number = " ".join(number.split())
    if not number:
        raise RegistrationNumberError(gettext("Give the organisation's registration number."))
    rule = RULES.get(country)
    if rule is None:
        return number.upper()
    module = importlib.import_module(rule.module)
    try:
        return module.validate(number)
    except StdnumValidationError:
        raise RegistrationNumberError(
            f"Not a valid {rule.label}: checked with the rule for {country} ({rule.module})."
        ) from None


def name_normalised(name: str) -> str:
    """A legal name with its whitespace collapsed; names compare without regard to case."""
    return " ".join(name.split())
