"""The one gate of every path that tells a member whether identifiers match a live report.

A check answers it directly, but so does a dispute (404 or 201), a watch entry (its webhooks),
a court's scope (its package) and a bulk file (its results): the cheapest ungated path would be
the oracle. So every such service, whatever it answers, calls `lookup_gate` with the identifiers
it looked up: the quota per identifier type, the canary, sequential, no-match and volume rules
(enumeration.py) are the same for all of them. The caller audits the answer, a miss as much as a
hit, with `lookup_counts` in the row's details.

Bulk files draw on their own per-type quota for the whole file at upload (`bulk_gate`; refused at
the first chunk whose identifiers so far what is left cannot take, `bulk_covers`), feed the
sequential rule as the upload is read (`bulk_numbers_observe`), the canary rule as chunks are
matched (bulk_match.py) and the no-match and volume rules as they are answered (`bulk_rows_observe`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.tags import AuditTag
from accounts.models import Organisation
from accounts.quotas import quota_consume, quota_covers
from sharing.checks.services.enumeration import (
    bulk_window_observe,
    sequential_observe,
    sweep_observe,
    sweep_observe_checks,
)
from sharing.checks.services.quotas import bulk_quota_demands, check_quota_demands, quota_take_or_refuse
from sharing.subjects.services.tokens import TokenisedIdentifier

V = TypeVar("V", bound=Callable)


def match_revealing(*methods: str) -> Callable[[V], V]:
    """Mark a function view whose `methods` answer whether identifiers match (API views set
    `match_revealing_methods`); tests/sharing/test_match_gate.py drives every marked route."""

    def mark(view: V) -> V:
        view.match_revealing_methods = frozenset(method.lower() for method in methods)  # type: ignore[attr-defined]
        return view

    return mark


def lookup_gate(
    *,
    actor: Actor,
    tokenised: list[TokenisedIdentifier],
    matched: bool,
    tag: AuditTag,
    now: datetime | None = None,
) -> None:
    """Take the check quota per identifier type (or refuse: audited, 429), then feed the sweep and canary rules.

    Call it before answering and outside the transaction of the write it gates: a refusal's audit
    row must commit although the request fails, and a miss must count although nothing is written.
    """
    quota_take_or_refuse(actor=actor, demands=check_quota_demands(tokenised), tag=tag)
    sweep_observe(actor=actor, tokenised=tokenised, matched=matched, now=now or timezone.now())


def lookup_gate_checks(
    *,
    actor: Actor,
    tokenised: list[list[TokenisedIdentifier]],
    matched: list[bool],
    tag: AuditTag,
    now: datetime | None = None,
) -> None:
    """`lookup_gate` for several checks at once (a batch: each seller's identifiers and its hit, in order).

    The quota is taken for every seller's identifiers together, as that many single checks would take
    it, or refused for the whole batch (audited, 429); the sweep and canary rules see each check.
    """
    every = [item for seller in tokenised for item in seller]
    quota_take_or_refuse(actor=actor, demands=check_quota_demands(every), tag=tag)
    sweep_observe_checks(actor=actor, tokenised=every, matched=matched, now=now or timezone.now())


def lookup_counts(*, hits: int, looked_up: int) -> dict:
    """The audit details every gated answer carries, so misses are on record like hits."""
    return {"hits": hits, "misses": looked_up - hits}


def bulk_gate(*, actor: Actor, identifiers_per_type: Counter[str]) -> None:
    """Take a whole file's bulk quota per identifier type, or raise QuotaExceeded (429).

    Called inside the upload's transaction, which the refusal rolls back with every stored row;
    bulk_submit audits the refusal after that rollback, so it stays on record.
    """
    quota_consume(organisation=actor.organisation, demands=bulk_quota_demands(identifiers_per_type))


def bulk_covers(*, actor: Actor, identifiers_per_type: Counter[str]) -> None:
    """Raise QuotaExceeded (429) when what is left of the bulk quota cannot take these identifiers; takes nothing."""
    quota_covers(organisation=actor.organisation, demands=bulk_quota_demands(identifiers_per_type))


def bulk_numbers_observe(*, actor: Actor, raw: list[TokenisedIdentifier], hour: datetime) -> None:
    """Feed a chunk of an upload's raw identifiers to the sequential rule: a range walked in a file is a sweep too."""
    sequential_observe(actor=actor, tokenised=raw, hour=hour)


def bulk_rows_observe(*, organisation: Organisation, rows: int, misses: int, now: datetime) -> None:
    """Count answered bulk rows and their misses for the no-match and volume rules (tokens-only files too)."""
    bulk_window_observe(organisation=organisation, rows=rows, misses=misses, now=now)
