"""Social and live-stream accounts: WeChat, QQ, Weibo, Douyin, Kuaishou, and live-stream rooms.

Each normaliser takes the account as typed (optionally behind a label such as "QQ:" or "微信号:")
or, where the platform has one, the URL of its profile or room page, and returns one canonical
string per account. Only the id in a URL counts; query strings and fragments (share and tracking
parameters) are ignored. Short share links (v.douyin.com, v.kuaishou.com) hide the id behind a
redirect the hub does not follow, so they are refused with a message saying what to give instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop
from hubcore.identifiers.text import ascii_hostname

_LOOKS_LIKE_URL = re.compile(r"[A-Za-z0-9.\-]+\.[A-Za-z]{2,}/")


@dataclass(frozen=True)
class _Url:
    """A URL's host (IDNA, lower-case), decoded path segments and query parameters (keys lower-case)."""

    host: str
    segments: tuple[str, ...]
    params: dict[str, str]

    def on(self, *domains: str) -> bool:
        """Say whether the host is one of the domains or a subdomain of one."""
        return any(self.host == domain or self.host.endswith("." + domain) for domain in domains)


def _url(text: str) -> _Url | None:
    """Parse text as a web address if it is one ("https://…" or "host.tld/…"), else None."""
    if "://" not in text:
        if not _LOOKS_LIKE_URL.match(text):
            return None
        text = "https://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - evaluated only to validate the port.
    except ValueError:
        raise IdentifierInvalid(gettext_noop("The URL is malformed.")) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise IdentifierInvalid(gettext_noop("The URL must be a web address (http or https)."))
    host = ascii_hostname(parts.hostname, what=gettext_noop("URL's host"))
    segments = tuple(unquote(segment) for segment in parts.path.split("/") if segment)
    params = {key.lower(): value for key, value in parse_qsl(parts.query)}
    return _Url(host=host, segments=segments, params=params)


def _without_label(
    text: str, labels: tuple[str, ...], *, colon_required: bool = True
) -> tuple[str | None, str]:
    """Split a leading "<label>:" (any of labels, case-insensitive) off the value; (label or None, rest)."""
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    separator = r"\s*:\s*" if colon_required else r"\s*:?\s*"
    match = re.match(f"({alternatives}){separator}(.*)", text, re.I | re.S)
    if match is None:
        return None, text
    return match[1].casefold(), match[2].strip()


def _refuse_url(what: str) -> IdentifierInvalid:
    """The error for a URL of another site, or of the platform but naming no account."""
    return IdentifierInvalid(
        gettext_noop("This URL does not name a %(what)s; give the account's profile URL or its id."),
        what=what,
    )


# ---------------------------------------------------------------- WeChat

# WeChat's own rule for a WeChat ID (微信号): 6 to 20 characters, letters, digits, underscores and
# hyphens, starting with a letter. WeChat treats IDs case-insensitively, so they are lower-cased.
_WECHAT_ID = re.compile(r"[a-z][a-z0-9_\-]{5,19}")


def normalise_wechat_id(text: str, default_country: str | None = None) -> str:
    """Return a WeChat ID lower-cased; a "WeChat:", "微信:" or "微信号:" label is dropped."""
    _, value = _without_label(text, ("wechat", "weixin", "wx", "微信", "微信号"))
    value = value.lower()
    if not _WECHAT_ID.fullmatch(value):
        raise IdentifierInvalid(
            gettext_noop(
                "A WeChat ID is 6 to 20 letters, digits, underscores or hyphens, starting with a letter."
            )
        )
    return value


# ---------------------------------------------------------------- QQ

# QQ numbers are assigned from 10000 upwards: 5 to 11 digits, never a leading zero.
_QQ_NUMBER = re.compile(r"[1-9][0-9]{4,10}")


def normalise_qq_number(text: str, default_country: str | None = None) -> str:
    """Return a QQ number's digits, from "12345", "QQ:12345", "QQ号 12345" or "12345@qq.com"."""
    _, value = _without_label(text, ("qq", "qq号", "qq号码"), colon_required=False)
    value = re.sub(r"@qq\.com$", "", value.replace(" ", ""), flags=re.I)
    if not _QQ_NUMBER.fullmatch(value):
        raise IdentifierInvalid(gettext_noop("A QQ number is 5 to 11 digits and does not start with 0."))
    return value


# ---------------------------------------------------------------- Weibo

# A Weibo account's numeric user id (UID); screen names can be changed by their holder, so they are
# not identifiers. Current UIDs have 10 digits; older ones fewer.
_WEIBO_UID = re.compile(r"[1-9][0-9]{4,15}")
_WEIBO_SCREEN_NAME = gettext_noop(
    "Give the Weibo account's numeric UID (as in weibo.com/u/<UID>), not its screen name, which can change."
)


def normalise_weibo_account(text: str, default_country: str | None = None) -> str:
    """Return a Weibo UID from the digits or from a weibo.com / m.weibo.cn profile URL."""
    url = _url(text)
    if url is None:
        _, value = _without_label(text, ("weibo", "微博", "uid"))
    elif url.on("weibo.com", "weibo.cn"):
        value = _weibo_uid_in_path(url.segments)
    else:
        raise _refuse_url(gettext_noop("Weibo account"))
    if not _WEIBO_UID.fullmatch(value):
        if value.isascii() and value.isdigit():
            raise IdentifierInvalid(gettext_noop("A Weibo UID is 5 to 16 digits and does not start with 0."))
        raise IdentifierInvalid(_WEIBO_SCREEN_NAME)
    return value


def _weibo_uid_in_path(segments: tuple[str, ...]) -> str:
    """The UID in /u/<uid>, /profile/<uid> or /<uid>; a screen-name path (/n/<name>) has none."""
    if len(segments) >= 2 and segments[0] in ("u", "profile"):
        return segments[1]
    if segments:
        return segments[0]
    raise _refuse_url(gettext_noop("Weibo account"))


# ---------------------------------------------------------------- Douyin

# A 抖音号 (the account's public Douyin ID, chosen by the holder or assigned): letters, digits,
# underscores and dots, case-insensitive. A sec_uid is the opaque, case-sensitive id in a profile URL
# (douyin.com/user/<sec_uid>); every one starts with "MS4wLjABAAAA" (base64 of its version header).
_DOUYIN_ID = re.compile(r"[a-z0-9_.]{1,32}")
_SEC_UID = re.compile(r"[A-Za-z0-9_\-]{20,120}")
_SEC_UID_START = "MS4wLjABAAAA"


def normalise_douyin_account(text: str, default_country: str | None = None) -> str:
    """Return "id:<抖音号 lower-cased>" or "sec_uid:<sec_uid>" (case kept)."""
    url = _url(text)
    if url is not None:
        return _douyin_url(url)
    label, value = _without_label(text, ("sec_uid", "id", "抖音号", "douyin", "抖音"))
    if label == "sec_uid" or (label not in ("id", "抖音号") and value.startswith(_SEC_UID_START)):
        return _sec_uid(value)
    value = value.lower()
    if not _DOUYIN_ID.fullmatch(value):
        raise IdentifierInvalid(
            gettext_noop(
                "A Douyin ID (抖音号) is 1 to 32 letters, digits, underscores or dots; or give the "
                "profile URL (douyin.com/user/…)."
            )
        )
    return f"id:{value}"


def _douyin_url(url: _Url) -> str:
    """The sec_uid in a douyin.com/user/<sec_uid> profile URL."""
    if url.on("v.douyin.com"):
        raise IdentifierInvalid(
            gettext_noop(
                "A short share link hides the account; open it and give the profile URL it leads to."
            )
        )
    if not url.on("douyin.com") or len(url.segments) < 2 or url.segments[0] != "user":
        raise _refuse_url(gettext_noop("Douyin account"))
    return _sec_uid(url.segments[1])


def _sec_uid(value: str) -> str:
    """Check a Douyin sec_uid and return "sec_uid:<value>"."""
    if not _SEC_UID.fullmatch(value):
        raise IdentifierInvalid(
            gettext_noop("A Douyin sec_uid is 20 to 120 letters, digits, underscores or hyphens.")
        )
    return f"sec_uid:{value}"


# ---------------------------------------------------------------- Kuaishou

# A 快手号 or the user id in a profile URL (kuaishou.com/profile/<id>, live.kuaishou.com/u/<id>):
# letters, digits, underscores, dots and hyphens; Kuaishou treats them case-insensitively.
_KUAISHOU_ID = re.compile(r"[a-z0-9_.\-]{1,40}")
# Sections of kuaishou.com whose names fit an id's shape: a URL whose id slot holds one of them
# ("kuaishou.com/profile/search") names a page of the site, not an account.
_KUAISHOU_SITE_PATHS = frozenset(
    {
        "about", "cate", "category", "fans", "follow", "following", "game", "help", "home", "index",
        "live", "login", "my-follow", "new-reco", "profile", "search", "settings", "short-video", "u",
        "user", "video",
    }
)  # fmt: skip


def normalise_kuaishou_account(text: str, default_country: str | None = None) -> str:
    """Return a Kuaishou account id lower-cased, from the id or a profile URL."""
    url = _url(text)
    if url is None:
        _, value = _without_label(text, ("kuaishou", "快手", "快手号"))
    else:
        value = _kuaishou_user(url)
    value = value.lower()
    if not _KUAISHOU_ID.fullmatch(value):
        raise IdentifierInvalid(
            gettext_noop(
                "A Kuaishou ID is 1 to 40 letters, digits, underscores, dots or hyphens; or give the "
                "profile URL (kuaishou.com/profile/…)."
            )
        )
    return value


def _kuaishou_user(url: _Url) -> str:
    """The user id in kuaishou.com/profile/<id> or live.kuaishou.com/u/<id> (or /profile/<id>)."""
    if url.on("v.kuaishou.com"):
        raise IdentifierInvalid(
            gettext_noop(
                "A short share link hides the account; open it and give the profile URL it leads to."
            )
        )
    if url.on("kuaishou.com") and len(url.segments) >= 2 and url.segments[0] in ("profile", "u"):
        if url.segments[1].lower() not in _KUAISHOU_SITE_PATHS:
            return url.segments[1]
    raise _refuse_url(gettext_noop("Kuaishou account"))


# ---------------------------------------------------------------- live-stream rooms

# Platform code -> (room id pattern, whether the id is case-folded). Douyin, Bilibili, Huya and Douyu
# rooms are numbered; a Kuaishou room is its streamer's user id. A Huya room may also have a chosen
# name (huya.com/lpl), but names share huya.com's top level with its own pages (huya.com/l, /g,
# /video, /game, ...), so any one-segment path would pass for a room: only the number (房间号, shown
# on every room's page) is taken, and a name is refused with a message asking for it.
_ROOM_RULES: dict[str, tuple[re.Pattern[str], bool]] = {
    "douyin": (re.compile(r"[0-9]{1,20}"), False),
    "kuaishou": (_KUAISHOU_ID, True),
    "bilibili": (re.compile(r"[0-9]{1,20}"), False),
    "huya": (re.compile(r"[1-9][0-9]{0,19}"), False),
    "douyu": (re.compile(r"[0-9]{1,20}"), False),
}
_PLATFORM_ALIASES: dict[str, str] = {
    "抖音": "douyin",
    "快手": "kuaishou",
    "bili": "bilibili",
    "b站": "bilibili",
    "哔哩哔哩": "bilibili",
    "虎牙": "huya",
    "斗鱼": "douyu",
}
_PLATFORMS = ", ".join(_ROOM_RULES)


def normalise_live_room(text: str, default_country: str | None = None) -> str:
    """Return "<platform>:<room id>" from that text or from the room's URL."""
    url = _url(text)
    if url is not None:
        platform, room = _room_in_url(url)
    else:
        name, colon, room = text.partition(":")
        if not colon:
            raise IdentifierInvalid(
                gettext_noop(
                    "Give the live room as its URL or as '<platform>:<room id>' (platforms: %(platforms)s)."
                ),
                platforms=_PLATFORMS,
            )
        name = name.strip().casefold()
        platform = _PLATFORM_ALIASES.get(name, name)
        if platform not in _ROOM_RULES:
            raise IdentifierInvalid(
                gettext_noop("Unknown live-stream platform; give one of: %(platforms)s."),
                platforms=_PLATFORMS,
            )
    pattern, folded = _ROOM_RULES[platform]
    room = room.strip().lower() if folded else room.strip()
    if platform == "huya" and not room.isdigit():
        raise IdentifierInvalid(
            gettext_noop(
                "Give a Huya room by its room number (房间号, shown on the room's page), not its name."
            )
        )
    if not pattern.fullmatch(room):
        raise IdentifierInvalid(gettext_noop("The room id is not well-formed for that live-stream platform."))
    return f"{platform}:{room}"


def _room_in_url(url: _Url) -> tuple[str, str]:
    """(platform, room id) from a live room's page URL."""
    first = url.segments[0] if url.segments else ""
    if url.on("live.douyin.com") and len(url.segments) == 1:
        return "douyin", first  # live.douyin.com/<room number>
    if url.on("live.kuaishou.com") and len(url.segments) >= 2 and first == "u":
        if url.segments[1].lower() not in _KUAISHOU_SITE_PATHS:
            return "kuaishou", url.segments[1]  # live.kuaishou.com/u/<streamer id>
    if url.on("live.bilibili.com"):
        # live.bilibili.com/<room number>, or its mobile edition live.bilibili.com/h5/<room number>.
        segments = url.segments[1:] if first == "h5" else url.segments
        if len(segments) == 1:
            return "bilibili", segments[0]
    if url.on("huya.com") and len(url.segments) == 1:
        return "huya", first  # huya.com/<room number>; a name or a site page is refused later
    if url.on("douyu.com"):
        if len(url.segments) == 1:
            return "douyu", first  # douyu.com/<room number>
        if first == "topic" and "rid" in url.params:
            return "douyu", url.params["rid"]  # an event page showing the room rid=<number>
    raise IdentifierInvalid(
        gettext_noop("This URL does not name a live room on a supported platform (%(platforms)s)."),
        platforms=_PLATFORMS,
    )
