"""Government numbers: national IDs and business licence / VAT numbers, validated by python-stdnum."""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import exceptions as stdnum_errors
from stdnum.au import abn
from stdnum.be import nn
from stdnum.br import cnpj, cpf
from stdnum.cn import ric, uscc
from stdnum.dk import cpr
from stdnum.es import dni, nie
from stdnum.eu import vat as eu_vat
from stdnum.fr import nir
from stdnum.gb import vat as gb_vat
from stdnum.in_ import aadhaar, gstin
from stdnum.it import codicefiscale
from stdnum.jp import cn as jp_corporate_number
from stdnum.kr import brn, rrn
from stdnum.mx import curp
from stdnum.my import nric
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.pl import pesel
from stdnum.ro import cnp
from stdnum.sg import uen
from stdnum.th import pin
from stdnum.tr import tckimlik
from stdnum.tw import ubn
from stdnum.us import ein, ssn
from stdnum.za import idnr

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.text import split_country_prefix

Validator = Callable[[str], str]

# Library exceptions carry no value, but the hub still maps each to its own fixed sentence.
_STDNUM_MESSAGES: tuple[tuple[type[Exception], str], ...] = (
    (stdnum_errors.InvalidChecksum, gettext_noop("The %(what)s's check digit does not match.")),
    (stdnum_errors.InvalidLength, gettext_noop("The %(what)s has the wrong number of characters.")),
    (
        stdnum_errors.InvalidFormat,
        gettext_noop("The %(what)s contains characters that are not allowed or is badly formatted."),
    ),
    (
        stdnum_errors.InvalidComponent,
        gettext_noop("The %(what)s contains an impossible part (such as a date or region code)."),
    ),
)


def stdnum_validate(validate: Validator, number: str, *, what: str) -> str:
    """Run a stdnum validator and turn its exceptions into IdentifierInvalid with a fixed message."""
    try:
        return validate(number)
    except stdnum_errors.ValidationError as exc:
        raise IdentifierInvalid(_stdnum_message(exc), what=what) from None
    except (ValueError, IndexError, KeyError, TypeError):
        # A few stdnum modules let int() or indexing errors through on malformed input.
        raise IdentifierInvalid(gettext_noop("The %(what)s is badly formatted."), what=what) from None


def _stdnum_message(exc: Exception) -> str:
    """Pick the sentence (with a %(what)s placeholder) for one stdnum exception."""
    for error_class, template in _STDNUM_MESSAGES:
        if isinstance(exc, error_class):
            return template
    return gettext_noop("The %(what)s is not valid.")


# ---------------------------------------------------------------- national ID


def _cn_resident_id(number: str) -> str:
    """Validate a Chinese resident ID, upgrading a 15-digit first-generation ID to its 18-digit form."""
    number = re.sub(r"[\s\-]", "", number).upper()
    if len(number) == 15 and number.isdigit():
        # GB 11643-1999: insert the century "19" before the 2-digit birth year and append the check digit.
        body = number[:6] + "19" + number[6:]
        number = body + ric.calc_check_digit(body + "?")  # calc_check_digit ignores the last character.
    return ric.validate(number)


def _es_personal_id(number: str) -> str:
    """Validate a Spanish DNI, or an NIE for foreign residents (which starts with X, Y or Z)."""
    compact = dni.compact(number)
    return nie.validate(compact) if compact[:1] in ("X", "Y", "Z") else dni.validate(compact)


def _it_codice_fiscale(number: str) -> str:
    """Validate an Italian personal codice fiscale; the 11-digit company form is not a national ID."""
    compact = codicefiscale.compact(number)
    if len(compact) != 16:
        raise stdnum_errors.InvalidLength()
    return codicefiscale.validate(compact)


NATIONAL_ID_VALIDATORS: dict[str, Validator] = {
    "BE": nn.validate,
    "BR": cpf.validate,
    "CN": _cn_resident_id,
    "DK": cpr.validate,
    "ES": _es_personal_id,
    "FR": nir.validate,
    "IN": aadhaar.validate,
    "IT": _it_codice_fiscale,
    "KR": rrn.validate,
    "MX": curp.validate,
    "MY": nric.validate,
    "NL": bsn.validate,
    "NO": fodselsnummer.validate,
    "PL": pesel.validate,
    "RO": cnp.validate,
    "TH": pin.validate,
    "TR": tckimlik.validate,
    "US": ssn.validate,
    "ZA": idnr.validate,
}


def normalise_national_id(text: str, default_country: str | None = None) -> str:
    """Return "CC:<compact number>" for a checksum-valid national ID of a supported country."""
    prefix, number = split_country_prefix(text, space=True)
    country = prefix or default_country
    if country is None:
        raise IdentifierInvalid(
            gettext_noop("Give the country of the national ID (for example as a 'CN:' prefix).")
        )
    validator = NATIONAL_ID_VALIDATORS.get(country)
    if validator is None:
        supported = ", ".join(sorted(NATIONAL_ID_VALIDATORS))
        raise IdentifierInvalid(
            gettext_noop("Unsupported national ID country; supported: %(supported)s."), supported=supported
        )
    # Marked outside the f-string: xgettext does not look inside one.
    valid = stdnum_validate(validator, number.strip(), what=gettext_noop("national ID"))
    return f"{country}:{valid}"


# ---------------------------------------------------------------- business licence

# stdnum's EU prefixes (it takes GR and XI besides Greece's official EL) plus the UK.
VAT_PREFIXES = frozenset({cc.upper() for cc in eu_vat.MEMBER_STATES} | {"EL", "GB"})
# Registers whose canonical form is "CC:<number>"; CN's unified social credit code is the common case.
BUSINESS_VALIDATORS: dict[str, Validator] = {
    "AU": abn.validate,
    "BR": cnpj.validate,
    "CN": uscc.validate,
    "IN": gstin.validate,
    "JP": jp_corporate_number.validate,
    "KR": brn.validate,
    "SG": uen.validate,
    "TW": ubn.validate,
    "US": ein.validate,
}
_USCC_SHAPE = re.compile(r"\d{8}[0-9A-Z]{10}")
_VAT_START = re.compile(r"([A-Za-z]{2})\s*(?=[0-9A-Za-z])")


def normalise_business_licence(text: str, default_country: str | None = None) -> str:
    """Return "CN:<USCC>", "VAT:<CC><number>" or "CC:<number>" for a valid business registration."""
    if re.match(r"VAT\s*:", text, re.I):
        return _vat(text.split(":", 1)[1].strip())
    prefix, number = split_country_prefix(text, space=True)
    if prefix is not None:
        return _business_for_country(prefix, number.strip())
    start = _VAT_START.match(text)
    if start and start[1].upper() in VAT_PREFIXES:
        return _vat(text)
    if _USCC_SHAPE.fullmatch(re.sub(r"[\s\-]", "", text).upper()):
        # A Chinese credit code is recognisable anywhere; foreign rights owners report Chinese sellers.
        return _business_for_country("CN", text)
    if default_country is None:
        raise IdentifierInvalid(
            gettext_noop("Give the country of the business licence number (for example as a 'CN:' prefix).")
        )
    return _business_for_country(default_country, text)


def _business_for_country(country: str, number: str) -> str:
    """Validate a business number in the register of one country."""
    if country in VAT_PREFIXES:
        return _vat(number if number.upper().startswith(country) else country + number)
    validator = BUSINESS_VALIDATORS.get(country)
    if validator is None:
        supported = ", ".join(sorted(set(BUSINESS_VALIDATORS) | VAT_PREFIXES))
        raise IdentifierInvalid(
            gettext_noop("Unsupported business licence country; supported: %(supported)s."),
            supported=supported,
        )
    valid = stdnum_validate(validator, number, what=gettext_noop("business licence number"))
    return f"{country}:{valid}"


def _vat(number: str) -> str:
    """Validate a European VAT number that starts with its country code; return "VAT:<CC><number>"."""
    country = number[:2].upper()
    if country in ("GB", "XI"):
        # Northern Ireland's XI prefix is put in front of the trader's UK VAT number: one registration.
        return "VAT:GB" + stdnum_validate(gb_vat.validate, number[2:], what=gettext_noop("VAT number"))
    if country not in VAT_PREFIXES:
        raise IdentifierInvalid(
            gettext_noop("A VAT number must start with the two-letter code of an EU country or GB.")
        )
    valid = stdnum_validate(eu_vat.validate, number, what=gettext_noop("VAT number"))
    # Greek VAT numbers are officially prefixed EL; fold the ISO code GR onto it.
    return "VAT:" + ("EL" + valid[2:] if valid.startswith("GR") else valid)
