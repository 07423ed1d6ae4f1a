"""Shop identifiers of the large marketplaces, extracted from their shop URLs.

Each rule reads the host, the decoded path and the query parameters and returns
"<market>:<kind>:<id>". A marketplace URL that names no shop (an item page, a search)
is refused: dropping its query would make every such page the same identifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop

Params = Mapping[str, str]
Rule = Callable[[str, str, Params], "str | None"]

# (market, kind) -> (id pattern, how to fold the id's case).
_ID_RULES: dict[tuple[str, str], tuple[re.Pattern[str], Callable[[str], str]]] = {
    ("taobao", "shop"): (re.compile(r"\d{1,20}"), str),
    # user_number_id is the seller's user id, a different number space from shop ids.
    ("taobao", "seller"): (re.compile(r"\d{1,20}"), str),
    ("tmall", "store"): (re.compile(r"[a-z0-9][a-z0-9\-]{0,62}"), str.lower),
    ("jd", "shop"): (re.compile(r"\d{1,20}"), str),
    ("pinduoduo", "mall"): (re.compile(r"\d{1,20}"), str),
    # Douyin shop ids are mixed-case letters and digits, and case matters.
    ("douyin", "shop"): (re.compile(r"[A-Za-z0-9_\-]{1,64}"), str),
    ("amazon", "seller"): (re.compile(r"[A-Z0-9]{8,21}"), str.upper),
    ("ebay", "store"): (re.compile(r"[a-z0-9._\-]{1,80}"), str.lower),
    # eBay masks private bidders as "a***b": a masked name is not an identifier, so "*" is refused.
    ("ebay", "user"): (re.compile(r"[a-z0-9._\-]{1,64}"), str.lower),
    ("aliexpress", "store"): (re.compile(r"\d{1,20}"), str),
}
CANONICAL_SHOP = re.compile(r"([A-Za-z]+):([A-Za-z]+):(.+)", re.S)

# Tmall subdomains that are site sections, not stores.
_TMALL_SECTIONS = frozenset(
    {
        "www",
        "m",
        "wap",
        "h5",
        "detail",
        "list",
        "login",
        "pages",
        "s",
        "search",
        "cart",
        "buy",
        "vip",
        "member",
        "chaoshi",
        "jx",
        "world",
        "brand",
        "ju",
        "miao",
        "mei",
        "3c",
        "help",
        "service",
        "img",
    }
)
_AMAZON_HOST = re.compile(r"(?:.+\.)?amazon\.(?:(?:co|com)\.)?[a-z]{2,3}")
_EBAY_HOST = re.compile(r"(?:.+\.)?ebay\.(?:(?:co|com)\.)?[a-z]{2,3}")


def shop_id(market: str, kind: str, raw: str | None) -> str | None:
    """Build "<market>:<kind>:<id>" if raw is a well-formed id of that kind, else None."""
    if raw is None:
        return None
    pattern, fold = _ID_RULES[(market, kind)]
    value = fold(raw.strip())
    return f"{market}:{kind}:{value}" if pattern.fullmatch(value) else None


def canonical_shop(text: str) -> str | None:
    """Re-validate an already canonical "<market>:<kind>:<id>" value; None if it is not one."""
    match = CANONICAL_SHOP.fullmatch(text)
    if match is None:
        return None
    market, kind = match[1].lower(), match[2].lower()
    if (market, kind) not in _ID_RULES:
        return None
    canonical = shop_id(market, kind, match[3])
    if canonical is None:
        raise IdentifierInvalid(gettext_noop("The shop id is not well-formed for that marketplace."))
    return canonical


def _on(host: str, *domains: str) -> bool:
    """Say whether host is one of the domains or a subdomain of one."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _taobao(host: str, path: str, params: Params) -> str | None:
    """shop<id>.taobao.com, or a shop page carrying shop_id / user_number_id."""
    match = re.fullmatch(r"shop(\d+)\.(?:m\.)?taobao\.com", host)
    if match:
        return shop_id("taobao", "shop", match[1])
    if "shopid" in params:
        return shop_id("taobao", "shop", params["shopid"])
    return shop_id("taobao", "seller", params.get("usernumberid") or params.get("sellerid"))


def _tmall(host: str, path: str, params: Params) -> str | None:
    """<store>.tmall.com (or its mobile <store>.m.tmall.com) names the store."""
    labels = host.removesuffix("tmall.com").rstrip(".").split(".")
    if len(labels) == 2 and labels[1] == "m":
        labels = labels[:1]
    if len(labels) != 1 or labels[0] in _TMALL_SECTIONS or not labels[0]:
        return None
    return shop_id("tmall", "store", labels[0])


def _jd(host: str, path: str, params: Params) -> str | None:
    """mall.jd.com/index-<id>.html or any JD page with shopId=<id>."""
    match = re.fullmatch(r"/index-(\d+)\.html?", path)
    return shop_id("jd", "shop", match[1] if match else params.get("shopid"))


def _pinduoduo(host: str, path: str, params: Params) -> str | None:
    """mall_page.html?mall_id=<id> on yangkeduo.com or pinduoduo.com."""
    return shop_id("pinduoduo", "mall", params.get("mallid"))


def _douyin(host: str, path: str, params: Params) -> str | None:
    """A Douyin shop page: shop_id=<id> or /shop/<id>."""
    match = re.match(r"/shop/([A-Za-z0-9_\-]+)(?:/|$)", path)
    return shop_id("douyin", "shop", match[1] if match else params.get("shopid"))


def _amazon(host: str, path: str, params: Params) -> str | None:
    """Seller pages of any Amazon marketplace: seller=, me=, smid= or /shops/<id>; ids are global."""
    match = re.match(r"/shops/([A-Za-z0-9]+)(?:/|$)", path)
    if match:
        return shop_id("amazon", "seller", match[1])
    raw = params.get("seller") or params.get("me") or params.get("smid")
    return shop_id("amazon", "seller", raw)


def _ebay(host: str, path: str, params: Params) -> str | None:
    """eBay /str/<store>, /usr/<user>, or a search of one seller's items (_ssn=<user>)."""
    match = re.match(r"/(str|usr)/([^/]+)", path)
    if match:
        return shop_id("ebay", "store" if match[1] == "str" else "user", match[2])
    return shop_id("ebay", "user", params.get("ssn"))


def _aliexpress(host: str, path: str, params: Params) -> str | None:
    """aliexpress.com/store/<id> or /store/all-wholesale-products/<id>.html, or storeId=<id>."""
    match = re.match(r"/store/(?:all-wholesale-products/)?(\d+)(?:\.html)?(?:/|$)", path)
    return shop_id("aliexpress", "store", match[1] if match else params.get("storeid"))


_RULES_BY_DOMAIN: tuple[tuple[tuple[str, ...], Rule], ...] = (
    (("taobao.com",), _taobao),
    (("tmall.com",), _tmall),
    (("jd.com",), _jd),
    (("yangkeduo.com", "pinduoduo.com"), _pinduoduo),
    (("douyin.com", "jinritemai.com"), _douyin),
    (("aliexpress.com", "aliexpress.us", "aliexpress.ru"), _aliexpress),
)


def _rule_for(host: str) -> Rule | None:
    """Pick the marketplace rule for a host, or None for an ordinary website."""
    for domains, rule in _RULES_BY_DOMAIN:
        if _on(host, *domains):
            return rule
    if _AMAZON_HOST.fullmatch(host):
        return _amazon
    return _ebay if _EBAY_HOST.fullmatch(host) else None


def marketplace_shop(host: str, path: str, params: Params) -> tuple[bool, str | None]:
    """Return (is a marketplace host, its canonical shop id or None if the URL names no shop)."""
    rule = _rule_for(host)
    if rule is None:
        return False, None
    return True, rule(host, path, params)
