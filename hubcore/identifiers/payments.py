"""Payment-service accounts (Alipay, WeChat Pay, PayPal, Stripe, ...) as "provider:account"."""

from __future__ import annotations

import re

from hubcore.identifiers.emails import normalise_email
from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.phones import normalise_phone
from hubcore.identifiers.text import nfkc, stable

PROVIDERS = frozenset({"alipay", "wechatpay", "paypal", "stripe", "other"})
_ALIASES = {"wechat": "wechatpay", "weixin": "wechatpay"}
# "any" is what the hub writes when no provider was given; accepting it keeps normalisation idempotent.
_NO_PROVIDER = "any"
_PHONE_CHARS = re.compile(r"[0-9+\-(). ]+")
_PREFIX = re.compile(r"([A-Za-z][A-Za-z_\- ]*?)\s*:\s*(.*)", re.S)


def normalise_payment_account(text: str, default_country: str | None = None) -> str:
    """Return "<provider>:<account>", the account normalised as an email, phone or plain id."""
    provider, account = _split_provider(text)
    if not account:
        raise IdentifierInvalid(gettext_noop("The payment account is empty after its provider prefix."))
    return f"{provider}:{_account(account, default_country)}"


def _split_provider(text: str) -> tuple[str, str]:
    """Split an optional "provider:" prefix; unknown providers are refused rather than guessed."""
    match = _PREFIX.fullmatch(text)
    if match is None:
        return _NO_PROVIDER, text.strip()
    name = re.sub(r"[\s_\-]", "", match[1]).lower()
    provider = _ALIASES.get(name, name)
    if provider not in PROVIDERS and provider != _NO_PROVIDER:
        known = ", ".join(sorted(PROVIDERS))
        raise IdentifierInvalid(
            gettext_noop("Unknown payment provider; known providers: %(known)s (or give no prefix)."),
            known=known,
        )
    return provider, match[2].strip()


def _account(account: str, default_country: str | None) -> str:
    """Normalise the account part: email and phone rules where it is one, else a case-folded id."""
    # Classify the account as it will be stored (compatibility forms folded, whitespace of every
    # kind dropped): classifying the raw text let "0\r." become the plain id "0.", which a second
    # pass then read as a number, so normalising the canonical value changed it.
    account = "".join(nfkc(account).split())
    if not account:
        raise IdentifierInvalid(gettext_noop("The payment account is empty after its provider prefix."))
    if "@" in account and "." in account.rpartition("@")[2]:
        return normalise_email(account)
    if account.endswith("@"):
        raise IdentifierInvalid(
            gettext_noop("The payment account looks like an email address but has no domain.")
        )
    if account.startswith("+") and _PHONE_CHARS.fullmatch(account):
        return normalise_phone(account, default_country)  # "+" says phone: an invalid one is an error.
    if _PHONE_CHARS.fullmatch(account) and any(ch.isdigit() for ch in account):
        return _phone_or_digits(account, default_country)
    # Plain account ids: case and spacing are presentation, not identity.
    return stable(lambda text: nfkc("".join(text.casefold().split())), account)


def _phone_or_digits(account: str, default_country: str | None) -> str:
    """A number that is a valid phone becomes E.164; otherwise a numeric id with separators dropped."""
    try:
        return normalise_phone(account, default_country)
    except IdentifierInvalid:
        # Numeric ids such as Alipay's 16-digit "2088..." user ids are not phone numbers.
        return re.sub(r"\D", "", account)
