"""Member policies: each platform or courier's own rule for acting on a match.

A policy counts strikes: live accepted reports against the matched subject within
the last `window_months`. At `strikes` or more the recommended action is "block";
a single report at a one-strike verification level or in a one-strike category
(e.g. a court judgment on counterfeits) also blocks. Any other match is "review";
no match is "allow". Without a policy of its own, an organisation gets the default:
three strikes in 24 months, one strike for a court judgment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.model_rows import instance_from_row, model_columns
from sharing.models import MemberPolicy

DEFAULT_POLICY = {
    "strikes": 3,
    "window_months": 24,
    "one_strike_verification_levels": ["court_judgment"],
    "one_strike_categories": [],
}


@dataclass(frozen=True)
class Strike:
    submitted_at: datetime
    verification: str  # effective verification level
    category: str


@cache
def _policy_statement() -> str:
    """`MemberPolicy.objects.filter(organisation_id=...)` spelled once per process (hub/model_rows.py):
    every check with a hit reads it, and compiling the query cost more than running it."""
    table, organisation = MemberPolicy._meta.db_table, MemberPolicy._meta.get_field("organisation").column
    return f'SELECT {model_columns(MemberPolicy, "p")} FROM "{table}" p WHERE p."{organisation}" = %s'


def policy_of(organisation_id: int) -> dict:
    # Where reads go in the current scope: a check reads its policy beside its lookup (hub/replica_reads.py).
    database = router.db_for_read(MemberPolicy) or DEFAULT_DB_ALIAS
    with connections[database].cursor() as cursor:
        cursor.execute(_policy_statement(), [organisation_id])
        row = cursor.fetchone()
    policy = instance_from_row(database, MemberPolicy, row) if row else None
    if policy is None:
        return dict(DEFAULT_POLICY)
    return policy_from_columns(
        policy.strikes,
        policy.window_months,
        policy.one_strike_verification_levels,
        policy.one_strike_categories,
    )


def policy_from_columns(strikes: int, window_months: int, levels: list[str], categories: list[str]) -> dict:
    """A stored policy as the check's rules take it (also read in the check's one statement, lookup_sql.py)."""
    return {
        "strikes": strikes,
        "window_months": window_months,
        "one_strike_verification_levels": levels,
        "one_strike_categories": categories,
    }


def recommended_action(policy: dict, strikes: list[Strike], *, now=None) -> str:
    if not strikes:
        return "allow"
    since = (now or timezone.now()) - timedelta(days=30 * policy["window_months"])
    recent = [s for s in strikes if s.submitted_at >= since]
    if len(recent) >= policy["strikes"]:
        return "block"
    if any(
        s.verification in policy["one_strike_verification_levels"]
        or s.category in policy["one_strike_categories"]
        for s in recent
    ):
        return "block"
    return "review"


@transaction.atomic
def policy_set(*, policy: dict, actor: Actor) -> MemberPolicy:
    require(
        actor,
        Capability.POLICY_MANAGE,
        message=gettext("Only platform and courier administrators set the action policy."),
    )
    saved, _ = MemberPolicy.objects.update_or_create(
        organisation=actor.organisation, defaults={**policy, "updated_at": timezone.now()}
    )
    audit_record(
        actor=actor,
        tag=AuditTag.POLICY_SET,
        target=actor.organisation,
        data_class=DataClass.ADMINISTRATIVE,
        details=policy,
    )
    return saved
