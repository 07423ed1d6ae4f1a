"""Store URLs: marketplace shop ids where the hub knows the marketplace, else host plus path."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlsplit

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.marketplaces import canonical_shop, marketplace_shop
from hubcore.identifiers.text import ascii_hostname

# A scheme has no dot, and "host:8080" is a port, not a scheme.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+\-]*):(?!\d)")
# Leading labels that only select a www or mobile edition of the same site.
_EDITION_LABELS = frozenset({"www", "www2", "m", "mobile", "wap", "h5"})
# Characters left unescaped in a canonical path (RFC 3986 pchar plus "/").
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_NO_SHOP = gettext_noop("This marketplace URL does not identify a shop; give the URL of the shop's own page.")


def normalise_store_url(text: str, default_country: str | None = None) -> str:
    """Return "<market>:<kind>:<id>" for a marketplace shop, else "url:<host><path>"."""
    already = canonical_shop(text)
    if already is not None:
        return already
    if text.lower().startswith("url:"):
        text = text[4:]  # A canonical "url:" value re-normalises to itself.
    parts = _split(_with_scheme(text.strip()))
    host = _site_host(parts)
    path = _clean_path(parts.path)
    is_marketplace, shop = marketplace_shop(host, unquote(path), _params(parts))
    if is_marketplace:
        if shop is None:
            raise IdentifierInvalid(_NO_SHOP)
        return shop
    return f"url:{host}{path}"


def _with_scheme(text: str) -> str:
    """Add https:// to a bare "shop.example.com/..." and refuse schemes other than http(s)."""
    if text.startswith("//"):
        return "https:" + text
    match = _SCHEME.match(text)
    if match is None:
        return "https://" + text
    if match[1].lower() not in ("http", "https"):
        raise IdentifierInvalid(gettext_noop("A store URL must be a web address (http or https)."))
    return text


def _split(url: str) -> SplitResult:
    """Split a URL, mapping the library's ValueError (bad port, brackets) to IdentifierInvalid."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - evaluated only to validate the port.
    except ValueError:
        raise IdentifierInvalid(gettext_noop("The store URL is malformed.")) from None
    if not parts.hostname:
        raise IdentifierInvalid(gettext_noop("The store URL has no host name."))
    return parts


def _site_host(parts: SplitResult) -> str:
    """IDNA-encode the host and drop the www/mobile edition labels in front of it."""
    host = ascii_hostname(parts.hostname or "", what=gettext_noop("store URL's host"))
    labels = host.split(".")
    while len(labels) > 2 and labels[0] in _EDITION_LABELS:
        labels = labels[1:]
    return ".".join(labels)


def _clean_path(path: str) -> str:
    """Re-escape the path one way (so %7E and ~ agree) and drop trailing slashes; case is kept."""
    return quote(unquote(path), safe=_PATH_SAFE).rstrip("/")


def _params(parts: SplitResult) -> dict[str, str]:
    """Query parameters (and those of a "#/route?x=y" fragment) keyed case- and underscore-blind."""
    params: dict[str, str] = {}
    fragment_query = parts.fragment.partition("?")[2]
    for query in (parts.query, fragment_query):
        for key, value in parse_qsl(query):
            # shop_id, shopId and shopid are spelled differently by different pages of one site.
            params.setdefault(key.lower().replace("_", ""), value)
    return params
