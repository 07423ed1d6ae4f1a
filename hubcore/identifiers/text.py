"""Shared text helpers plus the free-text (name, shipping address) and device ID normalisers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import phonenumbers

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop

# Apostrophes join a word ("O'Brien" = "OBrien"); every other punctuation mark separates words.
_APOSTROPHES = frozenset("'\u2019\u02bc`\u00b4")
# Han, kana and CJK symbols: these scripts are written without spaces, so spaces next to them are layout.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SPACE_NEXT_TO_CJK = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MAC_CISCO = re.compile(r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}")
_DEVICE_ID = re.compile(r"[0-9a-z._]{6,128}")


def nfkc(text: str) -> str:
    """Apply Unicode NFKC, which folds full-width and compatibility forms to their plain ones."""
    return unicodedata.normalize("NFKC", text)


def stable(step: Callable[[str], str], text: str) -> str:
    """Repeat step until the text stops changing, so normalising a canonical value returns it unchanged."""
    # Dropping spaces or invisible characters can bring a letter and a combining mark together,
    # which NFKC then composes; a second pass settles it and more passes are a safety margin.
    for _ in range(8):
        following = step(text)
        if following == text:
            break
        text = following
    return text


def has_control_characters(text: str) -> bool:
    """Say whether the text holds control characters other than ordinary whitespace."""
    if text.isprintable():  # one C-level pass: a printable text has no character of category Cc at all
        return False
    return any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in text)


def split_country_prefix(text: str, *, space: bool = False) -> tuple[str | None, str]:
    """Split an optional "CC:" or "CC-" country prefix off a value, upper-casing the code.

    With space=True a code followed by a space ("CN 110105…") is a prefix too, when it is a country
    libphonenumber knows (so "CN 1101…", "CN-1101…" and "CN:1101…" all name China, while "AB 12 34"
    stays one number). Bank accounts do not take it: "DE 89 3704…" is an IBAN written in groups.
    """
    match = re.match(r"([A-Za-z]{2})\s*[:\-]\s*(.*)", text, re.S)
    if match is None and space:
        match = re.match(r"([A-Za-z]{2})\s+(?=[0-9A-Za-z])(.*)", text, re.S)
        if match is not None and match[1].upper() not in phonenumbers.SUPPORTED_REGIONS:
            match = None
    if match is None:
        return None, text
    return match[1].upper(), match[2]


def ascii_hostname(host: str, *, what: str) -> str:
    """Lower-case and IDNA-encode a DNS name; it must have at least two labels and a non-numeric TLD."""
    host = host.strip().rstrip(".").lower()
    try:
        # The stdlib codec (IDNA 2003 nameprep) is deterministic and needs no extra dependency.
        encoded = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise IdentifierInvalid(gettext_noop("The %(what)s is not a valid domain name."), what=what) from None
    labels = encoded.split(".")
    if len(labels) < 2 or len(encoded) > 253:
        raise IdentifierInvalid(
            gettext_noop("The %(what)s must be a domain name with at least one dot."), what=what
        )
    if not all(_HOST_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        raise IdentifierInvalid(gettext_noop("The %(what)s is not a valid domain name."), what=what)
    return encoded


def normalise_free_text(text: str, *, what: str) -> str:
    """Case-fold, turn punctuation and symbols into spaces, collapse whitespace, keep letters and digits."""
    result = stable(_free_text_pass, text)
    if not any(ch.isalnum() for ch in result):
        raise IdentifierInvalid(gettext_noop("The %(what)s has no letters or digits."), what=what)
    return result


def _free_text_pass(text: str) -> str:
    """One pass of free-text folding; see normalise_free_text."""
    folded = nfkc(nfkc(text).casefold())
    kept = "".join(_free_text_char(ch) for ch in folded)
    collapsed = " ".join(kept.split())
    return nfkc(_SPACE_NEXT_TO_CJK.sub("", collapsed))


def _free_text_char(ch: str) -> str:
    """Map one character of free text: drop apostrophes and invisible characters, space out punctuation."""
    if ch in _APOSTROPHES:
        return ""
    category = unicodedata.category(ch)
    if ch.isspace() or category[0] in "PSZ":
        return " "
    if category[0] == "C":
        # Zero-width spaces, joiners and other format characters are invisible copy-paste debris.
        return ""
    return ch


def normalise_name(text: str, default_country: str | None = None) -> str:
    """Normalise a person's or business's name as free text."""
    return normalise_free_text(text, what=gettext_noop("name"))


def normalise_shipping_address(text: str, default_country: str | None = None) -> str:
    """Normalise a shipping address as free text."""
    return normalise_free_text(text, what=gettext_noop("shipping address"))


def normalise_device_id(text: str, default_country: str | None = None) -> str:
    """Lower-case a device ID and drop the separators that vary between MAC and UUID spellings."""
    value = text.strip().lower()
    value = value.removeprefix("urn:uuid:")
    if value.startswith("{") and value.endswith("}"):
        value = value[1:-1]  # Windows writes GUIDs in braces.
    if _MAC_CISCO.fullmatch(value):
        value = value.replace(".", "")  # Cisco's "aabb.ccdd.eeff" is the same MAC as "aa:bb:cc:dd:ee:ff".
    value = value.replace("-", "").replace(":", "")
    if not _DEVICE_ID.fullmatch(value):
        raise IdentifierInvalid(
            gettext_noop(
                "A device ID must be 6 to 128 letters, digits, dots or underscores ('-' and ':' are ignored)."
            )
        )
    return value


def text_checked(value: str, *, max_length: int, subject: str) -> str:
    """NFKC text (full-width to ASCII), stripped, not empty, at most `max_length` characters and free of
    control characters; each refusal names `subject` ("The identifier value", "This field")."""
    if len(value) > max_length:
        raise IdentifierInvalid(
            gettext_noop("%(subject)s is longer than %(max_length)s characters."),
            subject=subject,
            max_length=max_length,
        )
    text = nfkc(value).strip()
    if not text:
        raise IdentifierInvalid(gettext_noop("%(subject)s is empty."), subject=subject)
    if len(text) > max_length:
        raise IdentifierInvalid(
            gettext_noop("%(subject)s is longer than %(max_length)s characters."),
            subject=subject,
            max_length=max_length,
        )
    if has_control_characters(text):
        raise IdentifierInvalid(gettext_noop("%(subject)s contains control characters."), subject=subject)
    return text
