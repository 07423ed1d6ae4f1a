"""Email addresses: lower-cased, IDNA domain, and only the provider rules the providers document.

The hub treats local parts case-insensitively. RFC 5321 allows case-sensitive local parts,
but every large provider ignores case, and a seller using two case-variants of one address
is far more likely than two people whose addresses differ only by case.
"""

from __future__ import annotations

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.text import ascii_hostname

_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
# Providers that document "+tag" sub-addressing delivering to the same mailbox. Yahoo's
# disposable addresses use a different base name, so they cannot be folded and Yahoo is absent.
_PLUS_TAG_DOMAINS = frozenset(
    {
        "outlook.com",
        "hotmail.com",
        "live.com",  # Microsoft: plus addressing in Outlook.com
        "icloud.com",
        "me.com",
        "mac.com",  # Apple: all three are iCloud Mail domains
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",  # Proton: +aliases
        "fastmail.com",
        "fastmail.fm",  # Fastmail: plus addressing
    }
)
# Characters that are only legal inside a quoted local part; the hub does not accept those.
_LOCAL_FORBIDDEN = frozenset('"(),:;<>[\\]')
_SHAPE_ERROR = gettext_noop("An email address needs exactly one @ and a domain.")


def normalise_email(text: str, default_country: str | None = None) -> str:
    """Return "local@domain" with the domain IDNA-encoded and provider aliases folded."""
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    if text.count("@") != 1:
        raise IdentifierInvalid(_SHAPE_ERROR)
    local, domain = text.split("@")
    if not domain:
        raise IdentifierInvalid(_SHAPE_ERROR)
    domain = ascii_hostname(domain, what=gettext_noop("email domain"))
    local, domain = _provider_rules(_checked_local(local), domain)
    return f"{local}@{domain}"


def _checked_local(local: str) -> str:
    """Lower-case the local part after checking it is a plain (unquoted) one of legal length."""
    if not local:
        raise IdentifierInvalid(_SHAPE_ERROR)
    if len(local) > 64:
        raise IdentifierInvalid(
            gettext_noop("The part of the email address before the @ is longer than 64 characters.")
        )
    if any(ch.isspace() or ch in _LOCAL_FORBIDDEN for ch in local):
        raise IdentifierInvalid(
            gettext_noop(
                "The part of the email address before the @ contains spaces or characters that are not allowed."
            )
        )
    return local.lower()


def _provider_rules(local: str, domain: str) -> tuple[str, str]:
    """Fold the aliases a provider documents as delivering to one mailbox."""
    if domain in _GMAIL_DOMAINS:
        # Google: dots are ignored, "+anything" is delivered, googlemail.com is the same service.
        local, domain = local.partition("+")[0].replace(".", ""), "gmail.com"
    elif domain in _PLUS_TAG_DOMAINS:
        local = local.partition("+")[0]
    if not local:
        raise IdentifierInvalid(
            gettext_noop("The email address has no mailbox name once its +tag or dots are removed.")
        )
    return local, domain
