"""An organisation's own time zone, for times typed on pages (a datetime-local field has no zone).

A time typed on a page is read in the organisation's country's zone, else Beijing time, where most
members are; the API takes times with their UTC offset written out.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

COUNTRY_ZONES = {
    "CN": "Asia/Shanghai",
    "HK": "Asia/Hong_Kong",
    "TW": "Asia/Taipei",
    "SG": "Asia/Singapore",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "GB": "Europe/London",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "IT": "Europe/Rome",
    "US": "America/New_York",
}
DEFAULT_ZONE = "Asia/Shanghai"


def organisation_zone(organisation) -> str:
    """The zone a member of this organisation types times in."""
    return COUNTRY_ZONES.get(organisation.country, DEFAULT_ZONE)


def typed_in_zone(typed: str, zone: str) -> str:
    """A time as typed, read in `zone` when it names no offset, with its offset written out for the
    API's input; a value that is no date is passed on as typed, for the input's own message."""
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        return typed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.isoformat()
