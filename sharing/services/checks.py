"""Check a seller: the shareable answer about the subjects its identifiers match, and why."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.roles import Capability
from hub.errors import ForbiddenError
from sharing.identifiers.types import IdentifierType
from sharing.models import IdentifierToken, ReportIdentifier, Subject
from sharing.models.reports import VERIFICATION_RANK
from sharing.services.enumeration import sweep_observe
from sharing.services.policies import Strike, policy_of, recommended_action
from sharing.services.quotas import check_quota_demands, quota_take_or_refuse
from sharing.services.risk import Evidence, effective_verification, level_of, risk_of
from sharing.services.subjects import reports_counting
from sharing.services.tokens import RawIdentifier, SuppliedToken, TokenisedIdentifier, identifiers_tokenise, stored_tokens_find


@dataclass(frozen=True)
class CheckResult:
    """The same shape for a hit and a miss; nothing here names a reporter or a raw value."""

    check_id: str
    level: str
    risk: int
    matched_types: list[str] = field(default_factory=list)
    match: str | None = None  # "direct": reports name these identifiers; "linked": also reached through linked accounts
    reports_matched: int = 0
    subjects_matched: int = 0
    reporting_organisations: int = 0
    reporter_kinds: list[str] = field(default_factory=list)
    strongest_verification: str | None = None
    ip_types: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    disputed: bool = False
    linked_store_accounts: int = 0
    linked_platforms: int = 0
    recommended_action: str = "allow"
    explanation: str = "No live report matches these identifiers."


# Levels for watchers do not depend on any member's policy.
DEFAULT_LEVEL_POLICY = {"strikes": 3, "window_months": 24, "one_strike_verification_levels": [], "one_strike_categories": []}


def check_run(*, identifiers: list[RawIdentifier | SuppliedToken], actor: Actor) -> CheckResult:
    """Tokenise the seller's identifiers, take the quota, match, watch for sweeps, audit."""
    if not actor.can(Capability.CHECK_RUN):
        raise ForbiddenError("Your role does not grant check:run.")
    tokenised = identifiers_tokenise(identifiers=identifiers, default_country=actor.organisation.country)
    quota_take_or_refuse(actor=actor, demands=check_quota_demands(tokenised), tag=AuditTag.CHECK_RUN)
    return _check_match(tokenised=tokenised, actor=actor)


@transaction.atomic
def _check_match(*, tokenised: list[TokenisedIdentifier], actor: Actor) -> CheckResult:
    now = timezone.now()
    matched = [row for row in stored_tokens_find([t.token for t in tokenised]).values() if row.subject_id]
    result = check_result_for(matched, policy=policy_of(actor.organisation.pk), now=now)
    sweep_observe(actor=actor, tokenised=tokenised, matched=result.level != "none", now=now)
    subject_ids = {row.subject_id for row in matched}
    audit_record(
        actor=actor, tag=AuditTag.CHECK_RUN, data_class=DataClass.SHAREABLE, target_type="check", target_id=result.check_id,
        details={
            "identifier_types": sorted({t.type for t in tokenised}),
            "level": result.level,
            "subjects": sorted(str(p) for p in Subject.objects.filter(pk__in=subject_ids).values_list("public_id", flat=True)),
        },
    )
    return result


def check_result_for(matched: list[IdentifierToken], *, policy: dict, now: datetime) -> CheckResult:
    """The shareable answer for these matched token rows; single checks, bulk rows and watchers share it."""
    check_id = str(uuid.uuid4())
    subject_ids = {row.subject_id for row in matched}
    reports = reports_counting(now).filter(identifiers__token__subject_id__in=subject_ids).distinct()
    rows = list(reports.values("pk", "reporter_organisation_id", "reporter_organisation__kind", "verification_level",
                               "decision_verified", "ip_type", "category", "disputed", "submitted_at"))
    if not rows:
        return CheckResult(check_id=check_id, level="none", risk=0)
    summary = reports.aggregate(first_seen=Min("submitted_at"), last_seen=Max("submitted_at"))
    for row in rows:
        row["effective"] = effective_verification(row["verification_level"], row["decision_verified"])
    matched_types = frozenset(row.identifier_type for row in matched)
    evidence = Evidence(
        organisations=len({r["reporter_organisation_id"] for r in rows}),
        strongest_verification=max((r["effective"] for r in rows), key=VERIFICATION_RANK.__getitem__),
        matched_types=matched_types, last_seen=summary["last_seen"], disputed=any(r["disputed"] for r in rows),
    )
    links = _links(matched, rows, subject_ids)
    strikes = [Strike(r["submitted_at"], r["effective"], r["category"]) for r in rows]
    result = CheckResult(
        check_id=check_id, level=level_of(evidence), risk=risk_of(evidence, now=now), matched_types=sorted(matched_types),
        match=links["match"], reports_matched=len(rows), subjects_matched=len(subject_ids),
        reporting_organisations=evidence.organisations, reporter_kinds=sorted({r["reporter_organisation__kind"] for r in rows}),
        strongest_verification=evidence.strongest_verification, ip_types=sorted({r["ip_type"] for r in rows}),
        categories=sorted({r["category"] for r in rows}), first_seen=summary["first_seen"], last_seen=summary["last_seen"],
        disputed=evidence.disputed, linked_store_accounts=links["stores"], linked_platforms=links["platforms"],
        recommended_action=recommended_action(policy, strikes, now=now),
    )
    return CheckResult(**{**result.__dict__, "explanation": explain(result)})


def _links(matched: list[IdentifierToken], rows: list[dict], subject_ids: set[int]) -> dict:
    """Direct or through linked accounts, and how many store accounts and platforms the subjects span."""
    direct = set(ReportIdentifier.objects.filter(token__in=[m.pk for m in matched], report_id__in=[r["pk"] for r in rows])
                 .values_list("report_id", flat=True))
    stores = IdentifierToken.objects.filter(subject_id__in=subject_ids, identifier_type=IdentifierType.STORE_URL).count()
    platforms = len({r["reporter_organisation_id"] for r in rows if r["reporter_organisation__kind"] == "platform"})
    return {"match": "direct" if len(direct) == len(rows) else "linked", "stores": stores, "platforms": platforms}


def explain(result: CheckResult) -> str:
    """A sentence a trust-and-safety analyst can act on: what matched, how, and how strongly."""
    labels = [IdentifierType(t).label.lower() for t in result.matched_types]
    shared = " and ".join(labels) if len(labels) < 3 else ", ".join(labels[:-1]) + " and " + labels[-1]
    how = "directly" if result.match == "direct" else "through a linked account"
    text = (f"Matched {_count(result.subjects_matched, 'subject')} {how} through a shared {shared}; "
            f"{_count(result.reports_matched, 'live report')} from {_count(result.reporting_organisations, 'independent organisation')}")
    if result.linked_store_accounts:
        text += f"; that subject holds {_count(result.linked_store_accounts, 'store account')}"
        if result.linked_platforms:
            text += f" reported on {_count(result.linked_platforms, 'platform')}"
    if result.disputed:
        text += "; the listing is disputed"
    return text + "."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
