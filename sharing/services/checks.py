"""Check a seller: the shareable answer about the subjects its identifiers match."""
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
from sharing.models import Subject
from sharing.models.reports import VERIFICATION_RANK
from sharing.services.enumeration import sweep_observe
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
    subjects_matched: int = 0
    reporting_organisations: int = 0
    reporter_kinds: list[str] = field(default_factory=list)
    strongest_verification: str | None = None
    ip_types: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    disputed: bool = False


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
    rows = stored_tokens_find([t.token for t in tokenised]).values()
    matched = [{"identifier_type": r.identifier_type, "subject_id": r.subject_id} for r in rows if r.subject_id]
    result = _result_for(matched, now=now)
    sweep_observe(actor=actor, tokenised=tokenised, matched=result.level != "none", now=now)
    audit_record(
        actor=actor, tag=AuditTag.CHECK_RUN, data_class=DataClass.SHAREABLE,
        target_type="check", target_id=result.check_id,
        details={
            "identifier_types": sorted({t.type for t in tokenised}),
            "level": result.level,
            "subjects": sorted(str(public_id) for public_id in Subject.objects.filter(
                pk__in={m["subject_id"] for m in matched}).values_list("public_id", flat=True)),
        },
    )
    return result


def _result_for(matched: list[dict], *, now: datetime) -> CheckResult:
    check_id = str(uuid.uuid4())
    subject_ids = {m["subject_id"] for m in matched}
    reports = reports_counting(now).filter(identifiers__token__subject_id__in=subject_ids).distinct()
    summary = reports.aggregate(first_seen=Min("submitted_at"), last_seen=Max("submitted_at"))
    rows = list(reports.values("reporter_organisation_id", "reporter_organisation__kind", "verification_level",
                               "decision_verified", "ip_type", "category", "disputed"))
    if not rows:
        return CheckResult(check_id=check_id, level="none", risk=0)
    matched_types = frozenset(m["identifier_type"] for m in matched)
    strongest = max((effective_verification(r["verification_level"], r["decision_verified"]) for r in rows),
                    key=VERIFICATION_RANK.__getitem__)
    evidence = Evidence(
        organisations=len({r["reporter_organisation_id"] for r in rows}),
        strongest_verification=strongest,
        matched_types=matched_types,
        last_seen=summary["last_seen"],
        disputed=any(r["disputed"] for r in rows),
    )
    return CheckResult(
        check_id=check_id,
        level=level_of(evidence),
        risk=risk_of(evidence, now=now),
        matched_types=sorted(matched_types),
        subjects_matched=len(subject_ids),
        reporting_organisations=evidence.organisations,
        reporter_kinds=sorted({r["reporter_organisation__kind"] for r in rows}),
        strongest_verification=strongest,
        ip_types=sorted({r["ip_type"] for r in rows}),
        categories=sorted({r["category"] for r in rows}),
        first_seen=summary["first_seen"],
        last_seen=summary["last_seen"],
        disputed=evidence.disputed,
    )
