"""The hub's quotas on checks and bulk rows (per identifier type) and on oblivious evaluations."""

from __future__ import annotations

from collections import Counter

from django.conf import settings

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.quotas import Limit, QuotaExceeded, quota_consume
from sharing.subjects.services.tokens import TokenisedIdentifier


def check_quota_demands(tokenised: list[TokenisedIdentifier]) -> dict[Limit, int]:
    demands: dict[Limit, int] = {}
    for item in tokenised:
        # A court's scope may name bare tokens, whose type the hub does not know: one bucket for them.
        kind = item.type or "token"
        for window, limit in (
            ("minute", settings.HUB_QUOTA_CHECKS_PER_MINUTE),
            ("day", settings.HUB_QUOTA_CHECKS_PER_DAY),
        ):
            key = Limit(bucket=f"check:{kind}", window=window, limit=limit)
            demands[key] = demands.get(key, 0) + 1
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
    try:
        quota_consume(organisation=actor.organisation, demands=demands)
    except QuotaExceeded as exc:
        audit_record_denied(
            actor=actor,
            tag=AuditTag.QUOTA_EXCEEDED,
            target_type=tag.value.split(":")[1],
            reason=f"{exc.limit.bucket} over {exc.limit.limit} per {exc.limit.window}",
        )
        raise
