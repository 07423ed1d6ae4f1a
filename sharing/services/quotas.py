"""The hub's quotas on checks (per identifier type) and on oblivious evaluations."""
from __future__ import annotations

from django.conf import settings

from accounts.actors import Actor
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.quotas import Limit, QuotaExceeded, quota_consume
from sharing.services.tokens import TokenisedIdentifier


def check_quota_demands(tokenised: list[TokenisedIdentifier]) -> dict[Limit, int]:
    demands: dict[Limit, int] = {}
    for item in tokenised:
        for window, limit in (("minute", settings.HUB_QUOTA_CHECKS_PER_MINUTE), ("day", settings.HUB_QUOTA_CHECKS_PER_DAY)):
            key = Limit(bucket=f"check:{item.type}", window=window, limit=limit)
            demands[key] = demands.get(key, 0) + 1
    return demands


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
        audit_record_denied(actor=actor, tag=AuditTag.QUOTA_EXCEEDED, target_type=tag.value.split(":")[1],
                            reason=f"{exc.limit.bucket} over {exc.limit.limit} per {exc.limit.window}")
        raise
