"""Working days follow the jurisdiction's official calendar (HUB_CALENDAR_COUNTRY).

The calendar comes from python-holidays, which also knows the make-up working days the PRC
State Council announces each year (调休: a Saturday or Sunday that is worked to bridge a holiday).
HUB_HOLIDAYS adds days off the library does not know (an override for a late announcement).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_calendars
from django.conf import settings


@lru_cache(maxsize=8)
def _official_calendar(country: str) -> holiday_calendars.HolidayBase:
    return holiday_calendars.country_holidays(country)


def holidays() -> set[date]:
    """The configured extra days off (HUB_HOLIDAYS)."""
    return {date.fromisoformat(day) for day in settings.HUB_HOLIDAYS}


def is_working_day(day: date) -> bool:
    return day not in holidays() and _official_calendar(settings.HUB_CALENDAR_COUNTRY).is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        days += is_working_day(current)
    return days
