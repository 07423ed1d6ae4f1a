"""Per-organisation quotas, enforced atomically in the database.

A read-check-write quota lets concurrent clients overshoot (800 through a limit of
100 under 16 clients, measured while designing); one conditional UPDATE per window
(`used = used + n WHERE used + n <= limit`) lets exactly the limit through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
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


def quota_consume(
    *, organisation: Organisation, demands: dict[Limit, int], now: datetime | None = None
) -> None:
    """Take `amount` from every limit, or none of them and raise QuotaExceeded."""
    now = now or timezone.now()
    # A fixed order of rows, so two requests never wait on each other's rows crosswise.
    ordered = sorted(demands.items(), key=lambda item: (item[0].bucket, item[0].window))
    taken = _quota_upsert(organisation.pk, ordered, now)
    refused = [limit for limit, _ in ordered if (limit.bucket, limit.window) not in taken]
    if refused:
        # Give back what the statement did take: cheaper than a savepoint around every request's
        # upsert. Inside the caller's transaction (every API request) the rows are still locked,
        # so nobody saw the difference; in autocommit another client might, for a moment.
        _quota_give_back(
            organisation.pk, [(limit, amount) for limit, amount in ordered if limit not in refused], now
        )
        raise _exceeded(refused[0], now)


def quota_covers(
    *, organisation: Organisation, demands: dict[Limit, int], now: datetime | None = None
) -> None:
    """Raise QuotaExceeded when what is left of a limit cannot cover its demand; take nothing.

    A read, so a request can be refused before expensive work (tokenising a batch); only
    quota_consume's conditional update keeps concurrent clients under the limit.
    """
    now = now or timezone.now()
    starts = {limit: window_start(limit.window, now) for limit in demands}
    used = {
        (bucket, window, start): amount
        for bucket, window, start, amount in QuotaUsage.objects.filter(
            organisation_id=organisation.pk,
            bucket__in={limit.bucket for limit in demands},
            window_start__in=set(starts.values()),
        ).values_list("bucket", "window", "window_start", "used")
    }
    ordered = sorted(demands.items(), key=lambda item: (item[0].bucket, item[0].window))
    for limit, amount in ordered:
        if used.get((limit.bucket, limit.window, starts[limit]), 0) + amount > limit.limit:
            raise _exceeded(limit, now)


def _exceeded(limit: Limit, now: datetime) -> QuotaExceeded:
    start = window_start(limit.window, now)
    return QuotaExceeded(limit, int((start + WINDOWS[limit.window] - now).total_seconds()) + 1)


def _quota_give_back(organisation_id: int, taken: list[tuple[Limit, int]], now: datetime) -> None:
    for limit, amount in taken:
        QuotaUsage.objects.filter(
            organisation_id=organisation_id,
            bucket=limit.bucket,
            window=limit.window,
            window_start=window_start(limit.window, now),
        ).update(used=F("used") - amount)


def _quota_upsert(
    organisation_id: int, ordered: list[tuple[Limit, int]], now: datetime
) -> set[tuple[str, str]]:
    """One conditional upsert for all the limits (`used + n <= limit`); returns those it took.

    The conflict update is the atomic step: the row is locked and the condition re-read
    under the lock, so concurrent clients never overshoot. One statement, not one per
    limit, because the rows stay locked until the request commits.
    """
    table = QuotaUsage._meta.db_table
    q = connection.ops.quote_name
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(ordered))
    params: list = []
    for limit, amount in ordered:
        start = connection.ops.adapt_datetimefield_value(
            window_start(limit.window, now)
        )  # as the ORM stores it
        params += [organisation_id, limit.bucket, limit.window, start, amount, limit.limit]
    ceiling = " ".join(["WHEN excluded.bucket = %s AND excluded.{w} = %s THEN %s"] * len(ordered)).format(
        w=q("window")
    )
    for limit, _ in ordered:
        params += [limit.bucket, limit.window, limit.limit]
    sql = (
        f"INSERT INTO {q(table)} (organisation_id, bucket, {q('window')}, window_start, used) "
        f"SELECT column1, column2, column3, column4, column5 FROM (VALUES {values}) AS demand WHERE column5 <= column6 "
        f"ON CONFLICT (organisation_id, bucket, {q('window')}, window_start) DO UPDATE SET used = {q(table)}.used + excluded.used "
        f"WHERE {q(table)}.used + excluded.used <= CASE {ceiling} END "
        f"RETURNING bucket, {q('window')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(bucket, window) for bucket, window in cursor.fetchall()}
