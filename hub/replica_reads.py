"""Reads from the streaming replica, only inside an explicit scope, and only when that is safe.

Checks, bulk matching and the feed run their read statements through `replica_read(organisation_id,
read)`, which enters the scope `replica_reads(organisation_id)` and reads again on the primary if the
replica fails the read; hub/db_router.py sends a scope's reads to its alias. Everything else (every
write, quota, lock, audit row, and any read outside a scope) stays on the primary: the router
sends writes and row-locking reads (Django routes those as writes) to the primary, and
code that reads what it writes simply never enters a scope.

A scope reads the replica only when
- a replica is configured (HUB_REPLICA_ALIAS, from DATABASE_REPLICA_URL), and answers;
- its lag, measured against the primary's WAL position at most once per HUB_REPLICA_PROBE_MILLISECONDS
  per process (less and less often while it cannot be reached), is known to be under
  HUB_REPLICA_MAX_LAG_SECONDS;
- the organisation reads its own writes there: after a member's write request the primary's WAL
  position is remembered for its organisation in the shared cache (ReadYourWritesMiddleware), and
  until the replica has replayed past it the organisation's scopes read the primary.
Otherwise the scope reads the primary, so an answer is never older than the bound, nor older than
the reader's own last write. A check costs nothing more than a contextvar and a cache read, plus
one statement on the replica only when its organisation wrote within the last moments.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

T = TypeVar("T")

logger = logging.getLogger(__name__)

_read_alias: ContextVar[str | None] = ContextVar("hub_replica_read_alias", default=None)
# Per request (set by the middleware): whether its service said it only reads (request_reads_only).
_request_marks: ContextVar[dict | None] = ContextVar("hub_replica_request_marks", default=None)


def request_reads_only() -> None:
    """Say that the current request only reads (a check, a batch check, a token evaluation): its own
    writes are bookkeeping (audit, quota, matches) that no scope reads, so its organisation's scopes
    need not wait for the replica to replay them. Said explicitly by the service, never inferred:
    a route that also writes what members read must not say it. A no-op outside a request."""
    marks = _request_marks.get()
    if marks is not None:
        marks["reads_only"] = True


def read_alias() -> str | None:
    """The alias reads go to in the current scope, or None outside any scope (the primary)."""
    return _read_alias.get()


@contextmanager
def replica_reads(organisation_id: int | None) -> Iterator[str]:
    """Send this block's reads to the replica when it is fresh enough for this organisation."""
    alias = replica_alias_for(organisation_id)
    token = _read_alias.set(alias)
    try:
        yield alias
    finally:
        _read_alias.reset(token)


def replica_read(organisation_id: int | None, read: Callable[[], T]) -> T:
    """`read()` inside `replica_reads(organisation_id)`; if the replica fails it (stopped, connection
    dropped, statement cancelled by a recovery conflict), `read()` again on the primary.

    Every scope reads through this: a replica failing between two probes costs a read twice, never a 500.
    The replica is marked unhealthy, so the next scope probes it before reading it again. An error of
    the primary's (or one the primary would raise too, a DataError) is the caller's own and propagates.
    """
    with replica_reads(organisation_id) as alias:
        if alias == DEFAULT_DB_ALIAS:
            return read()
        replica = connections[alias]
        # Django sets this on the connection whose statement (or connect) failed: the replica's, or not.
        replica.errors_occurred = False
        try:
            return read()
        except DatabaseError as exc:
            if not replica.errors_occurred:
                raise
            _replica_failed(alias, exc)
    token = _read_alias.set(DEFAULT_DB_ALIAS)
    try:
        return read()
    finally:
        _read_alias.reset(token)


def _replica_failed(alias: str, exc: DatabaseError) -> None:
    connections[alias].close()
    state = _state
    if state.healthy:  # once per failure: the replica is not read again until a probe says so
        # The error's class and SQLSTATE only: its message may quote a value.
        cause = exc.__cause__
        logger.warning(
            "replica %s failed a read (%s %s): read again on the primary",
            alias,
            type(cause or exc).__name__,
            getattr(cause, "sqlstate", None) or "",
        )
    state.healthy, state.lag_seconds = False, None
    state.next_probe_at = float("-inf")  # the next scope probes it before reading it


# --- how fresh the replica is ---------------------------------------------------------------


def lsn_number(text: str) -> int:
    """A WAL position as PostgreSQL prints it ('16/B374D848') as one comparable number."""
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass
class ReplicaState:
    """What one process last measured of the replica."""

    probed_at: float = float("-inf")  # time.monotonic() of the last probe
    next_probe_at: float = float("-inf")  # when the next scope probes again
    failures: int = 0  # probes in a row that could not reach the replica (probe_delay)
    healthy: bool = False
    replayed: int = 0  # the replica's replayed WAL position at the last probe
    lag_seconds: float | None = None
    # (monotonic time, primary WAL position then): the replica's lag is the age of the newest
    # sample it has replayed past.
    samples: deque[tuple[float, int]] = field(default_factory=deque)


_state = ReplicaState()
_probe_lock = threading.Lock()


def replica_state() -> ReplicaState:
    return _state


def replica_state_reset() -> None:
    """Forget what was measured (tests, and settings that change the replica)."""
    global _state
    _state = ReplicaState()


def lag_bounds(samples: deque[tuple[float, int]], replayed: int, now: float) -> tuple[float, float]:
    """How far behind the replica is, at least and at most: it has replayed past the newest sample it
    passed (at most that sample's age) and not the next one (at least that one's age). At most is
    infinite when it passed none; at least is 0 when it passed them all."""
    at_most, at_least = float("inf"), 0.0
    for moment, position in samples:  # in the primary's order: the replayed ones come first
        if position <= replayed:
            at_most = now - moment
        else:
            at_least = now - moment
            break
    return at_least, at_most


def lag_verdict(at_least: float, at_most: float, max_lag: float) -> bool | None:
    """Fresh enough (True), too far behind (False), or unknown (None): the samples straddle the bound,
    as after an idle spell, when the newest sample the replica passed is as old as the idle time
    while the next is from this very probe."""
    if at_most <= max_lag:
        return True
    if at_least > max_lag:
        return False
    return None


# While the replica cannot be reached, each failed probe doubles the wait before the next (a probe of a
# replica that is down costs a request thread up to the connect timeout), up to this.
PROBE_BACKOFF_MAX_SECONDS = 30.0


def probe_delay(interval: float, failures: int) -> float:
    """Seconds until the next probe after this many probes in a row failed to reach the replica."""
    return min(interval * 2 ** min(failures, 32), max(interval, PROBE_BACKOFF_MAX_SECONDS))


def _replayed_position(alias: str) -> int | None:
    """The replica's replayed WAL position; None when it is no standby. Raises DatabaseError when unreachable."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
        (text,) = cursor.fetchone()
    return lsn_number(text) if text else None


def _probe(alias: str, now: float) -> None:
    state = _state
    first = state.probed_at == float("-inf")
    state.probed_at = now
    interval = settings.HUB_REPLICA_PROBE_MILLISECONDS / 1000
    state.next_probe_at = now + interval
    # Outside the try: an error on the primary is the request's own, never a sign the replica is down.
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        primary = lsn_number(cursor.fetchone()[0])
    try:
        replayed = _replayed_position(alias)
    except DatabaseError:
        if first or state.healthy:  # once per outage, not once a probe
            logger.warning("replica %s unreachable: reads go to the primary", alias, exc_info=True)
        connections[alias].close()
        state.healthy, state.lag_seconds = False, None
        state.failures += 1
        state.next_probe_at = now + probe_delay(interval, state.failures)
        return
    state.failures = 0
    if replayed is None:  # not in recovery: a primary, not a replica of it
        if first or state.lag_seconds is not None:  # once, not once a probe
            logger.warning("replica %s is not a standby: reads go to the primary", alias)
        state.healthy, state.lag_seconds = False, None
        return
    max_lag = settings.HUB_REPLICA_MAX_LAG_SECONDS
    was_healthy = state.healthy
    state.samples.append((now, primary))
    # Keep a little more than the bound: an older sample cannot change the verdict.
    while len(state.samples) > 1 and state.samples[1][0] < now - max_lag - 1:
        state.samples.popleft()
    state.replayed = replayed
    at_least, at_most = lag_bounds(state.samples, replayed, now)
    verdict = lag_verdict(at_least, at_most, max_lag)
    if verdict is None:
        # Unknown (the first probe, or after idle): one more look; a live replica has replayed this
        # probe's position within moments.
        try:
            state.replayed = max(replayed, _replayed_position(alias) or 0)
        except DatabaseError:
            connections[alias].close()
        at_least, at_most = lag_bounds(state.samples, state.replayed, time.monotonic())
        verdict = lag_verdict(at_least, at_most, max_lag)
    if verdict is None:
        # Still unknown: the primary for now, and probe again soon rather than call it lagging.
        state.healthy, state.lag_seconds = False, None
        state.next_probe_at = now + interval / 10
        return
    state.healthy = verdict
    state.lag_seconds = at_most if verdict else at_least
    if was_healthy and not state.healthy:
        logger.warning("replica %s lags %.1f s: reads go to the primary", alias, state.lag_seconds)


def _refreshed(alias: str) -> ReplicaState:
    now = time.monotonic()
    if now >= _state.next_probe_at:
        # One thread probes; the others use the last measure rather than wait for it.
        if _probe_lock.acquire(blocking=False):
            try:
                _probe(alias, now)
            finally:
                _probe_lock.release()
    return _state


def _replayed_now(alias: str) -> int | None:
    try:
        return _replayed_position(alias)
    except DatabaseError:
        connections[alias].close()
        return None


def replica_alias_for(organisation_id: int | None) -> str:
    """The alias a scope for this organisation reads: the replica when fresh enough, else the primary."""
    alias = settings.HUB_REPLICA_ALIAS
    if not alias:
        return DEFAULT_DB_ALIAS
    state = _refreshed(alias)
    if not state.healthy:
        return DEFAULT_DB_ALIAS
    if organisation_id is not None:
        written = cache.get(_written_key(organisation_id))
        if written is not None and state.replayed < written:
            replayed = _replayed_now(alias)
            if replayed is None or replayed < written:
                return DEFAULT_DB_ALIAS
            state.replayed = max(state.replayed, replayed)
    return alias


# --- read-your-writes -------------------------------------------------------------------------


def _written_key(organisation_id: int) -> str:
    return f"hub:replica:written:{organisation_id}"


def writes_remembered(organisation_id: int) -> None:
    """After the organisation's writes committed: its scopes read the primary until the replica
    has replayed them. Kept past the lag bound, after which a lagging replica is refused anyway."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        position = lsn_number(cursor.fetchone()[0])
    cache.set(_written_key(organisation_id), position, timeout=settings.HUB_REPLICA_MAX_LAG_SECONDS * 2 + 60)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ReadYourWritesMiddleware:
    """Remember the primary's WAL position for the organisation of a member whose request wrote.

    Any successful unsafe request counts as a write, except one whose service said it only reads
    (request_reads_only: a check, a batch check, a token evaluation): its own writes are its audit
    row and quota, which no scope reads. A request without a member (sign-in, applications) marks nobody.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.HUB_REPLICA_ALIAS or request.method in _SAFE_METHODS:
            return self.get_response(request)
        marks: dict = {"reads_only": False}
        token = _request_marks.set(marks)
        try:
            response = self.get_response(request)
        finally:
            _request_marks.reset(token)
        if response.status_code < 400 and not marks["reads_only"]:
            user = getattr(request, "user", None)
            member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
            if member is not None:
                writes_remembered(member.organisation_id)
        return response
