"""Working days: weekends and configured public holidays (HUB_HOLIDAYS) do not count."""
from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings


def holidays() -> set[date]:
    return {date.fromisoformat(day) for day in settings.HUB_HOLIDAYS}


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    off, current, remaining = holidays(), start, days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            remaining -= 1
    return current
