"""Detect members using the hub as an enumeration oracle, and raise alerts.

Rules, per organisation and hour (thresholds in settings, HUB_SWEEP_*):
- sequential: many distinct identifiers checked within one block of neighbouring
  numbers (a phone number without its last 3 digits; an ID, licence or account
  number without its last 4), which is what walking a number range looks like;
- no-match ratio: at least HUB_SWEEP_MIN_CHECKS checks of which nearly all missed;
  a platform screening real sellers hits now and then, a random sweep never does;
- volume: more checks in an hour than any screening workflow needs;
- canary: any check of an identifier operators planted; nobody has a reason to.
Bulk rows feed the same rules with their own counters and thresholds (HUB_SWEEP_BULK_*).
Every path that reveals a match reaches these rules through match_gate.py.
Only keyed hashes of number blocks and token prefixes are kept, never a value.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Count
from django.utils.crypto import salted_hmac

from accounts.actors import Actor
from accounts.audit.services import alert_raise
from accounts.models import Organisation
from hub.keys import token_storage_keys
from hub.model_rows import instance_from_row, model_columns
from hubcore.identifiers.types import IdentifierType
from sharing.crypto.tokens import token_lookup_forms
from sharing.models import Canary, SweepProbe, SweepWindow
from sharing.subjects.services.tokens import TokenisedIdentifier

# How many trailing characters vary inside one block of an enumerable identifier.
BLOCK_TAIL: dict[str, int] = {  # looked up by the stored type string
    IdentifierType.PHONE: 3,
    IdentifierType.NATIONAL_ID: 4,
    IdentifierType.BUSINESS_LICENCE: 4,
    IdentifierType.BANK_ACCOUNT: 4,
    # Observed values are walked the same way (a sweep of observed IDs finds a gang's fakes), and QQ
    # numbers and Weibo UIDs are sequential numbers handed out in order.
    IdentifierType.OBSERVED_PHONE: 3,
    IdentifierType.OBSERVED_NATIONAL_ID: 4,
    IdentifierType.OBSERVED_BUSINESS_LICENCE: 4,
    IdentifierType.OBSERVED_BANK_ACCOUNT: 4,
    IdentifierType.QQ_NUMBER: 3,
    IdentifierType.WEIBO_ACCOUNT: 3,
}


def sweep_observe(
    *, actor: Actor, tokenised: list[TokenisedIdentifier], matched: bool, now: datetime
) -> None:
    """Record one check and raise the alerts it completes."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    canaries_watch(actor, tokenised)
    sequential_observe(actor=actor, tokenised=tokenised, hour=hour)
    _window(actor, matched, hour)


def sweep_observe_checks(
    *, actor: Actor, tokenised: list[TokenisedIdentifier], matched: list[bool], now: datetime
) -> None:
    """Record several checks at once (a batch check: `matched` holds each one's hit, in order) exactly as
    that many single checks in a row would: a batch is no cheaper way to sweep than single checks.

    The canary and sequential rules read every identifier, as they would one check at a time; the
    no-match rule is tried at every check's point in the sequence, since a batch's final ratio alone
    would let misses submitted first slip under it behind hits submitted last.
    """
    hour = now.replace(minute=0, second=0, microsecond=0)
    canaries_watch(actor, tokenised)
    sequential_observe(actor=actor, tokenised=tokenised, hour=hour)
    misses_added = matched.count(False)
    checks, misses = _window_add(actor.organisation, hour, {"checks": len(matched), "misses": misses_added})
    running_checks, running_misses = checks - len(matched), misses - misses_added
    states = []
    for hit in matched:
        running_checks, running_misses = running_checks + 1, running_misses + (0 if hit else 1)
        states.append((running_checks, running_misses))
    least, ratio = settings.HUB_SWEEP_MIN_CHECKS, settings.HUB_SWEEP_MISS_RATIO_PERMILLE
    first_sweep = next((s for s in states if _mostly_missed(*s, least=least, ratio=ratio)), None)
    for state in dict.fromkeys([first_sweep, (checks, misses)]):  # the alert's own dedupe key keeps one
        if state is not None:
            _rules_apply(
                actor.organisation,
                hour,
                checks=state[0],
                misses=state[1],
                source="checks",
                least=least,
                ratio=ratio,
                volume=settings.HUB_SWEEP_HOURLY_VOLUME,
            )


def canaries_watch(actor: Actor, tokenised: list[TokenisedIdentifier]) -> None:
    """Raise a high alert for every planted canary among these identifiers."""
    keys = token_storage_keys()
    forms = [form for item in tokenised for form in token_lookup_forms(item.token, keys=keys)]
    for canary in canaries_among(forms):
        alert_raise(
            kind="canary_hit",
            organisation=actor.organisation,
            severity="high",
            dedupe_key=f"canary:{actor.organisation.public_id}:{canary.pk}",
            details={
                "canary": canary.label,
                "identifier_type": canary.identifier_type,
                "member": str(actor.member.public_id),
            },
        )


@cache
def _canaries_statement(vendor: str) -> str:
    """`Canary.objects.filter(token__in=...)` spelled once per process (hub/model_rows.py), its text the
    same whatever the number of forms: every check runs it."""
    among = "= ANY(%s)" if vendor == "postgresql" else "IN (SELECT value FROM json_each(%s))"
    return f'SELECT {model_columns(Canary, "c")} FROM "{Canary._meta.db_table}" c WHERE c."token" {among}'


def canaries_among(forms: list[str]) -> list[Canary]:
    """The planted canaries whose storage form is among these, read on the primary: a tripwire is never
    read on a replica that may not have it yet (hub/replica_reads.py)."""
    if not forms:
        return []
    primary = connections[DEFAULT_DB_ALIAS]
    with primary.cursor() as cursor:
        cursor.execute(
            _canaries_statement(primary.vendor),
            [forms if primary.vendor == "postgresql" else json.dumps(forms)],
        )
        rows = cursor.fetchall()
    return [instance_from_row(DEFAULT_DB_ALIAS, Canary, row) for row in rows]


def sequential_observe(*, actor: Actor, tokenised: list[TokenisedIdentifier], hour: datetime) -> None:
    """Note each raw enumerable identifier as a probe of its number block; alert on a crowded block.

    Set-based (one insert, one count) so a bulk upload can feed every chunk of raw rows
    through it: a number range walked in a bulk file is the same sweep as one walked in checks.
    """
    probes: dict[tuple[str, str], str] = {}  # (block, probe) → identifier type
    for item in tokenised:
        tail = BLOCK_TAIL.get(item.type)
        if tail is None or item.canonical is None or len(item.canonical) <= tail + 4:
            continue
        block = salted_hmac("sweep-block", f"{item.type}\x00{item.canonical[:-tail]}").hexdigest()
        probes[(block, item.token[:32])] = item.type
    if not probes:
        return
    organisation = actor.organisation
    SweepProbe.objects.bulk_create(
        [
            SweepProbe(organisation=organisation, window_start=hour, block=block, probe=probe)
            for block, probe in probes
        ],
        ignore_conflicts=True,
    )
    crowded = (
        SweepProbe.objects.filter(
            organisation=organisation, window_start=hour, block__in={b for b, _ in probes}
        )
        .values("block")
        .annotate(distinct=Count("pk"))
        .filter(distinct__gte=settings.HUB_SWEEP_BLOCK_PROBES)
        .order_by("-distinct")
        .first()
    )
    if crowded:
        kind = next(t for (block, _), t in probes.items() if block == crowded["block"])
        alert_raise(
            kind="sequential_sweep",
            organisation=organisation,
            dedupe_key=f"sequential:{organisation.public_id}:{hour.isoformat()}",
            details={
                "identifier_type": kind,
                "distinct_in_block": crowded["distinct"],
                "window": hour.isoformat(),
            },
        )


def sweep_records_prune(*, now: datetime, keep: timedelta = timedelta(hours=48)) -> int:
    """Delete probes and windows past every rule's hour (kept two days for operators looking at an alert)."""
    cutoff = now - keep
    probes, _ = SweepProbe.objects.filter(window_start__lt=cutoff).delete()
    windows, _ = SweepWindow.objects.filter(window_start__lt=cutoff).delete()
    return probes + windows


def _window(actor: Actor, matched: bool, hour: datetime) -> None:
    checks, misses = _window_add(actor.organisation, hour, {"checks": 1, "misses": 0 if matched else 1})
    _rules_apply(
        actor.organisation,
        hour,
        checks=checks,
        misses=misses,
        source="checks",
        least=settings.HUB_SWEEP_MIN_CHECKS,
        ratio=settings.HUB_SWEEP_MISS_RATIO_PERMILLE,
        volume=settings.HUB_SWEEP_HOURLY_VOLUME,
    )


def bulk_window_observe(*, organisation: Organisation, rows: int, misses: int, now: datetime) -> None:
    """Count answered bulk rows in the hour and apply the no-match and volume rules with bulk thresholds.

    Bulk has its own counters and thresholds: a seller base is screened in millions of rows
    and mostly misses, so the single-check thresholds would alert on every honest job.
    """
    hour = now.replace(minute=0, second=0, microsecond=0)
    total, missed = _window_add(organisation, hour, {"bulk_rows": rows, "bulk_misses": misses})
    _rules_apply(
        organisation,
        hour,
        checks=total,
        misses=missed,
        source="bulk",
        least=settings.HUB_SWEEP_BULK_MIN_ROWS,
        ratio=settings.HUB_SWEEP_BULK_MISS_RATIO_PERMILLE,
        volume=settings.HUB_SWEEP_BULK_HOURLY_ROWS,
    )


def _window_add(organisation: Organisation, hour: datetime, counts: dict[str, int]) -> tuple[int, int]:
    # One upsert counts and reads the totals: the row stays locked until the request commits.
    table = connection.ops.quote_name(SweepWindow._meta.db_table)
    columns = list(counts)  # our own column names, never input
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, window_start, checks, misses, bulk_rows, bulk_misses) "
            f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (organisation_id, window_start) DO UPDATE SET "
            + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
            + " RETURNING "
            + ", ".join(columns),
            [
                organisation.pk,
                connection.ops.adapt_datetimefield_value(hour),
                counts.get("checks", 0),
                counts.get("misses", 0),
                counts.get("bulk_rows", 0),
                counts.get("bulk_misses", 0),
            ],
        )
        return cursor.fetchone()


def _rules_apply(
    organisation: Organisation,
    hour: datetime,
    *,
    checks: int,
    misses: int,
    source: str,
    least: int,
    ratio: int,
    volume: int,
) -> None:
    """The no-match ratio and volume rules over one hour's counts of checks or bulk rows."""
    details = {"checks": checks, "misses": misses, "window": hour.isoformat(), "source": source}
    prefix = "" if source == "checks" else f"{source}:"
    if _mostly_missed(checks, misses, least=least, ratio=ratio):
        alert_raise(
            kind="no_match_sweep",
            organisation=organisation,
            details=details,
            dedupe_key=f"{prefix}no_match:{organisation.public_id}:{hour.isoformat()}",
        )
    if checks >= volume:
        alert_raise(
            kind="volume_spike",
            organisation=organisation,
            details=details,
            dedupe_key=f"{prefix}volume:{organisation.public_id}:{hour.isoformat()}",
        )


def _mostly_missed(checks: int, misses: int, *, least: int, ratio: int) -> bool:
    """The no-match rule: enough checks, nearly all of them misses (ratio in permille)."""
    return checks >= least and misses * 1000 >= checks * ratio
