"""Courier identifiers: a sender's account with a courier, and one parcel's waybill number.

Both are "<courier>:<id>" with the courier from a closed list (a code, an English or a Chinese name),
because one account or waybill number means nothing without its carrier: "sf:abc123" and
"zto:abc123" are different senders.
"""

from __future__ import annotations

import re

from hubcore.identifiers.errors import IdentifierInvalid, gettext_noop

# Canonical courier codes, each with the other names it is written as (lower-cased after NFKC).
COURIER_ALIASES: dict[str, tuple[str, ...]] = {
    "sf": ("sfexpress", "sf express", "shunfeng", "顺丰", "顺丰速运"),
    "ems": ("中国邮政ems", "邮政ems"),
    "chinapost": ("china post", "youzheng", "中国邮政", "邮政"),
    "zto": ("zhongtong", "中通", "中通快递"),
    "yto": ("yuantong", "圆通", "圆通速递"),
    "sto": ("shentong", "申通", "申通快递"),
    "yunda": ("韵达", "韵达快递"),
    "jd": ("jdl", "jingdong", "京东", "京东物流"),
    "jt": ("j&t", "j&t express", "jtexpress", "极兔", "极兔速递"),
    "best": ("best express", "huitong", "百世", "百世快递", "百世汇通"),
    "deppon": ("debang", "德邦", "德邦快递"),
    "cainiao": ("菜鸟",),
    "zjs": ("zhaijisong", "宅急送"),
    "ane": ("anneng", "安能", "安能物流"),
    "kye": ("kuayue", "跨越", "跨越速运"),
    "dhl": (),
    "fedex": ("联邦快递",),
    "ups": (),
    "usps": (),
    "tnt": (),
    "dpd": (),
    "gls": (),
    "aramex": (),
    "royalmail": ("royal mail",),
}
_COURIER_BY_NAME: dict[str, str] = {
    name: code for code, aliases in COURIER_ALIASES.items() for name in (code, *aliases)
}
_SUPPORTED = ", ".join(COURIER_ALIASES)

_ACCOUNT = re.compile(r"[a-z0-9_.\-]{1,64}")
_GENERIC_WAYBILL = re.compile(r"[A-Z0-9]{6,30}")
_WAYBILL_SEPARATORS = re.compile(r"[\s\-]")

# UPU S10 item identifier: 2 service letters, 8 serial digits, 1 check digit, 2-letter ISO country.
# UPU Standard S10 ("Identification of postal items - 13-character identifier"), section on the check
# digit: weights 8 6 4 2 3 5 9 7 over the serial; 11 - (sum mod 11), where 10 gives 0 and 11 gives 5.
_S10 = re.compile(r"([A-Z]{2})(\d{8})(\d)([A-Z]{2})")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> str:
    """The UPU S10 check digit of an 8-digit serial number."""
    check = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return str({10: 0, 11: 5}.get(check, check))


def courier_code(name: str) -> str:
    """Map a courier's code or name to its canonical code, or refuse it listing the supported codes."""
    code = _COURIER_BY_NAME.get(" ".join(name.casefold().split()))
    if code is None:
        raise IdentifierInvalid(
            gettext_noop("Unknown courier; give one of: %(supported)s (as '<courier>:<number>')."),
            supported=_SUPPORTED,
        )
    return code


def _split_courier(text: str) -> tuple[str, str]:
    """Split "<courier>:<id>" into the canonical courier code and the id."""
    courier, colon, rest = text.partition(":")
    if not colon or not courier.strip():
        raise IdentifierInvalid(
            gettext_noop("Give the courier and the number as '<courier>:<number>', for example 'sf:…'.")
        )
    return courier_code(courier), rest.strip()


def normalise_courier_sender_account(text: str, default_country: str | None = None) -> str:
    """Return "<courier>:<account>", the account case-folded, with spaces dropped."""
    courier, account = _split_courier(text)
    account = "".join(account.casefold().split())
    if not _ACCOUNT.fullmatch(account):
        raise IdentifierInvalid(
            gettext_noop(
                "A courier sender account must be 1 to 64 letters, digits, dots, hyphens or underscores."
            )
        )
    return f"{courier}:{account}"


def normalise_waybill(text: str, default_country: str | None = None) -> str:
    """Return "<courier>:<NUMBER>", upper-case without spaces or hyphens, checked where the format is known."""
    courier, number = _split_courier(text)
    number = _WAYBILL_SEPARATORS.sub("", number).upper()
    if not _GENERIC_WAYBILL.fullmatch(number):
        raise IdentifierInvalid(gettext_noop("A waybill number must be 6 to 30 letters and digits."))
    _check_format(courier, number)
    return f"{courier}:{number}"


def _check_format(courier: str, number: str) -> None:
    """Refuse a waybill number that breaks its courier's published format; other couriers pass.

    Formats are checked only where they are known and stable. Where carriers changed their
    numbering over the years and old numbers are still printed (JD, STO, Yunda, J&T, ...), only the
    generic rule (6 to 30 letters and digits) applies: refusing a real waybill is worse than
    accepting a mistyped one.

    Sources: the S10 check is the UPU's published standard. The SF, ZTO and YTO shapes are those the
    carriers' own tracking pages accept and print (SF: "SF" + 13 digits on current waybills, 12 digits
    on older ones; ZTO: 12 to 15 digits; YTO: "YT" + 13 digits); none of the three publishes a formal
    specification or a check digit, so only the shape is checked, and for YTO only numbers that start
    "YT" (older YTO numbers had other shapes). A change in a carrier's numbering is a version bump.
    """
    s10 = _S10.fullmatch(number)
    if s10 and courier in ("ems", "chinapost"):
        # International EMS and China Post items carry UPU S10 numbers ("EE123456785CN"); their
        # domestic numbers (13 digits) have another format and take the generic rule.
        if s10[3] != s10_check_digit(s10[2]):
            raise IdentifierInvalid(
                gettext_noop("The waybill number's check digit does not match (UPU S10).")
            )
        return
    if courier == "sf" and not re.fullmatch(r"SF\d{12,15}|\d{12}", number):
        # SF Express: "SF" and 12 to 15 digits (13 today, room for growth), or 12 digits on older ones.
        raise IdentifierInvalid(
            gettext_noop("An SF Express waybill number is 'SF' and 12 to 15 digits, or 12 digits.")
        )
    if courier == "zto" and not re.fullmatch(r"\d{12,15}", number):
        # ZTO Express waybill numbers are all digits, 12 to 15 of them.
        raise IdentifierInvalid(gettext_noop("A ZTO Express waybill number is 12 to 15 digits."))
    if courier == "yto" and number.startswith("YT") and not re.fullmatch(r"YT\d{13}", number):
        # YTO Express: current waybills are "YT" and 13 digits; older all-digit numbers are not checked.
        raise IdentifierInvalid(
            gettext_noop("A YTO Express waybill number starting 'YT' has 13 digits after it.")
        )
