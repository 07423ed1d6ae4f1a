"""The hub's quotas on checks and bulk rows (per identifier type) and on oblivious evaluations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.quotas import Limit, QuotaExceeded, quota_consume, quota_covers
from sharing.subjects.services.tokens import TokenisedIdentifier


def check_quota_demands(tokenised: list[TokenisedIdentifier]) -> dict[Limit, int]:
    return check_quota_demands_per_type(Counter(item.type for item in tokenised))


def check_quota_demands_per_type(identifiers_per_type: Counter[str]) -> dict[Limit, int]:
    demands: dict[Limit, int] = {}
    for identifier_type, count in identifiers_per_type.items():
        # A court's scope may name bare tokens, whose type the hub does not know: one bucket for them.
        kind = identifier_type or "token"
        for window, limit in (
            ("minute", settings.HUB_QUOTA_CHECKS_PER_MINUTE),
            ("day", settings.HUB_QUOTA_CHECKS_PER_DAY),
        ):
            key = Limit(bucket=f"check:{kind}", window=window, limit=limit)
            demands[key] = demands.get(key, 0) + count
    return demands


def bulk_quota_demands(identifiers_per_type: Counter[str]) -> dict[Limit, int]:
    """A file's identifiers per type against the bulk buckets (never the single-check ones)."""
    return {
        Limit(bucket=f"bulk:{kind}", window="day", limit=settings.HUB_QUOTA_BULK_ROWS_PER_DAY): count
        for kind, count in identifiers_per_type.items()
        if count
    }


def evaluation_quota_demands(count: int) -> dict[Limit, int]:
    return {
        Limit(bucket="evaluate", window="minute", limit=settings.HUB_QUOTA_EVALUATIONS_PER_MINUTE): count,
        Limit(bucket="evaluate", window="day", limit=settings.HUB_QUOTA_EVALUATIONS_PER_DAY): count,
    }


def quota_take_or_refuse(*, actor: Actor, demands: dict[Limit, int], tag: AuditTag) -> None:
    """Take the quota, or audit the refusal (committed even though the request fails) and raise."""
    with _refusal_audited(actor, tag):
        quota_consume(organisation=actor.organisation, demands=demands)


def quota_covers_or_refuse(*, actor: Actor, demands: dict[Limit, int], tag: AuditTag) -> None:
    """Refuse (audited, 429) when what is left of the quota cannot cover `demands`; take nothing."""
    with _refusal_audited(actor, tag):
        quota_covers(organisation=actor.organisation, demands=demands)


@contextmanager
def _refusal_audited(actor: Actor, tag: AuditTag) -> Iterator[None]:
    try:
        yield
    except QuotaExceeded as exc:
        audit_record_denied(
            actor=actor,
            tag=AuditTag.QUOTA_EXCEEDED,
            target_type=tag.value.split(":")[1],
            reason=f"{exc.limit.bucket} over {exc.limit.limit} per {exc.limit.window}",
        )
        raise
