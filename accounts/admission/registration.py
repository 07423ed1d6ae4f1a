"""Company registration numbers: validated by python-stdnum where it knows the country's number."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumValidationError


@dataclass(frozen=True)
class Rule:
    module: str  # a python-stdnum module with compact() and validate()
    label: str | Promise  # in words where it has English ones; a proper name stays as it is


# Each module checked to exist in the installed python-stdnum (tests/accounts/test_admission.py).
RULES: dict[str, Rule] = {
    "CN": Rule("stdnum.cn.uscc", _("unified social credit code (统一社会信用代码)")),
    "DE": Rule("stdnum.de.handelsregisternummer", "Handelsregisternummer"),
    "FR": Rule("stdnum.fr.siren", _("SIREN number")),
    "US": Rule("stdnum.us.ein", _("employer identification number (EIN)")),
    "JP": Rule("stdnum.jp.cn", _("corporate number (法人番号)")),
    "KR": Rule("stdnum.kr.brn", _("business registration number")),
    "AU": Rule("stdnum.au.acn", _("Australian Company Number (ACN)")),
    "BR": Rule("stdnum.br.cnpj", "CNPJ"),
    "SG": Rule("stdnum.sg.uen", _("Unique Entity Number (UEN)")),
    "CH": Rule("stdnum.ch.uid", _("business identifier (UID)")),
    "DK": Rule("stdnum.dk.cvr", _("CVR number")),
    "FI": Rule("stdnum.fi.ytunnus", "Y-tunnus"),
    "SE": Rule("stdnum.se.orgnr", _("organisation number")),
    "NO": Rule("stdnum.no.orgnr", _("organisation number")),
    "PL": Rule("stdnum.pl.regon", "REGON"),
    "RU": Rule("stdnum.ru.ogrn", "OGRN"),
    "TW": Rule("stdnum.tw.ubn", _("unified business number")),
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
            gettext("Not a valid %(number)s: checked with the rule for %(country)s (%(rule)s).")
            % {"number": rule.label, "country": country, "rule": rule.module}
        ) from None


def name_normalised(name: str) -> str:
    """A legal name with its whitespace collapsed; names compare without regard to case."""
    return " ".join(name.split())
