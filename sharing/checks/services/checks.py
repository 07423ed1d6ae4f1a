"""Check a seller: the shareable answer about the subjects its identifiers match, and why.

The answer is computed in two steps so single checks, bulk chunks and watchers share it:
`matched_evidence` reads what the rules need for a set of subjects in four queries, whatever
their number, and `check_result_from` turns one seller's share of it into a CheckResult
without touching the database.

Weak identifiers (name, address, device id) carry no subject, so they never reach one. A weak
token the seller names corroborates a subject only when a live report of that subject, reached
through a strong or medium identifier, names it too: its type is listed and adds a bounded risk
bonus (risk.py), never an organisation, a report or a level. A weak token on file anywhere else
adds nothing at all, so a check cannot probe whether a name is known.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.purposes import purpose_require
from accounts.roles import Capability, OrganisationKind
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_gate, transfer_record
from hub.keys import token_storage_keys
from hub.replica_reads import read_alias, replica_read, request_reads_only
from hubcore.identifiers.types import LINKING_TYPES, IdentifierType
from sharing.checks.services.lookup_sql import check_lookup_sql
from sharing.checks.services.match_gate import lookup_counts, lookup_gate
from sharing.checks.services.matches import matched_by_subject, subject_matches_record
from sharing.checks.services.parcels import (
    SubjectParcelEvents,
    parcel_action,
    parcel_counts_suppressed,
    parcel_event_counts,
)
from sharing.checks.services.policies import (
    DEFAULT_POLICY,
    Strike,
    policy_from_columns,
    policy_of,
    recommended_action,
)
from sharing.checks.services.risk import Evidence, effective_verification, level_of, risk_of
from sharing.checks.services.suppression import SuppressedCount, suppressed, suppressed_pooled
from sharing.crypto.tokens import token_lookup_forms
from sharing.models import FeedbackOutcome, HitFeedback, IdentifierToken, MatchSource, ReportIdentifier
from sharing.models.identifiers import IDENTIFIER_TYPE_LABELS
from sharing.models.parcels import ParcelEventKind
from sharing.models.reports import VERIFICATION_RANK, ReportStatus
from sharing.subjects.services.subjects import counting
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    TokenisedIdentifier,
    identifiers_tokenise,
    stored_tokens_of,
)


@dataclass(frozen=True)
class CheckResult:
    """The same shape for a hit and a miss; nothing here names a reporter or a raw value."""

    check_id: str
    level: str
    risk: int
    matched_types: list[str] = field(default_factory=list)
    corroborated_types: list[str] = field(
        default_factory=list
    )  # weak types a reached subject's reports also name
    match: str | None = (
        None  # "direct": reports name these identifiers; "linked": also reached through linked accounts
    )
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
    # Independent organisations (none of the subject's reporters) whose current feedback says they
    # acted on it, or found it a false positive: counts only, never which (sharing/feedback/), and
    # suppressed below the threshold of organisations (suppression.py) like every count of members.
    members_acted: SuppressedCount = field(default_factory=lambda: suppressed(0))
    members_false_positive: SuppressedCount = field(default_factory=lambda: suppressed(0))
    recommended_action: str = "allow"
    explanation: str = field(default_factory=lambda: gettext("No live report matches these identifiers."))
    # Couriers' parcel events (seized, refused, returned, customs hold) naming the matched subjects'
    # tokens, counted per kind and suppressed by the recording organisations (sharing/parcels/).
    parcel_events: dict[str, SuppressedCount] = field(
        default_factory=lambda: {kind: suppressed(0, organisations=0) for kind in ParcelEventKind.values}
    )
    # For a logistics member only: what to do with the parcel at pick-up ("hold_for_inspection", "accept").
    parcel_action: str | None = None


@dataclass(frozen=True)
class MatchedToken:
    """A stored token one of the seller's identifiers matched, and the subject it belongs to."""

    token_id: int
    identifier_type: str
    subject_id: int | None  # None for a weak token: it can only corroborate a subject reached otherwise


@dataclass(frozen=True)
class LiveReport:
    """A live accepted report as the result rules read it (never shared as such)."""

    pk: int
    organisation_id: int
    organisation_kind: str
    effective_verification: str
    ip_type: str
    category: str
    disputed: bool
    submitted_at: datetime


@dataclass
class SubjectEvidence:
    """What the rules need about one subject: its live reports, the tokens each names, its store accounts."""

    reports: dict[int, LiveReport] = field(default_factory=dict)
    tokens_named: dict[int, set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )  # report pk → token ids
    weak_named: dict[int, set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )  # report pk → the check's weak token ids
    store_accounts: int = 0
    feedback: dict[int, str] = field(default_factory=dict)  # organisation pk → its current outcome
    parcel_events: SubjectParcelEvents = field(default_factory=dict)  # parcel → (kind, organisation pk)


# Levels for watchers do not depend on any member's policy.
DEFAULT_LEVEL_POLICY = {
    "strikes": 3,
    "window_months": 24,
    "one_strike_verification_levels": [],
    "one_strike_categories": [],
}


@dataclass(frozen=True)
class FoundToken:
    """A stored token one of a checked seller's identifiers reached: what the check reads of it."""

    pk: int
    identifier_type: str
    subject_id: int | None
    subject_public_id: str | None


def check_lookup(
    tokenised: list[TokenisedIdentifier], *, now: datetime, organisation_id: int
) -> tuple[list[FoundToken], dict[int, SubjectEvidence], Callable[[], dict]]:
    """The seller's stored tokens (each under the type it is asked for, as `stored_tokens_of`), the
    evidence of the subjects they reach (`matched_evidence`) and the checking organisation's policy
    (`policy_of`, for `check_result_from`, which reads it only for a hit): one prepared statement on
    PostgreSQL (lookup_sql.py), the ORM's queries elsewhere. Both give the same (test_check_lookup_sql.py)."""
    # Inside a replica scope the statement runs where the scope reads (hub/replica_reads.py).
    connection = connections[read_alias() or DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or any(not item.type for item in tokenised):
        rows = stored_tokens_of(tokenised)
        found = [
            FoundToken(
                row.pk,
                row.identifier_type,
                row.subject_id,
                str(row.subject.public_id) if row.subject else None,
            )
            for row in rows
        ]
        tokens = matched_tokens((row.pk, row.identifier_type, row.subject_id) for row in rows)
        return found, matched_evidence(*evidence_keys(tokens), now=now), lambda: policy_of(organisation_id)
    with connection.cursor() as cursor:
        cursor.execute(
            check_lookup_sql(), check_lookup_arguments(tokenised, now=now, organisation_id=organisation_id)
        )
        statement_rows = cursor.fetchall()
    found, links, extras = [], [], []
    policy = dict(DEFAULT_POLICY)
    for tag, n1, n2, n3, n4, t1, t2, t3, t4, b1, b2, at in statement_rows:
        if tag == "token":
            found.append(FoundToken(n1, t1, n2, t2))
        elif tag == "link":  # in _evidence_from_links' order
            links.append((n1, n2, n3, n4, t1, t2, b1, t3, t4, b2, at))
        elif tag == "policy":  # policy_of's dict, its JSON columns read as the ORM's JSONField reads them
            policy = policy_from_columns(n1, n2, json.loads(t1), json.loads(t2))
        else:
            extras.append((tag, n1, n2, n3, n4, t1))
    evidence = _evidence_from_links(links)
    for tag, subject_id, n2, n3, n4, t1 in extras:
        subject = evidence.get(subject_id)
        if subject is None:
            continue
        if tag == "store":
            subject.store_accounts = n2
        elif tag == "feedback":
            subject.feedback[n2] = t1
        else:  # a parcel: (organisation, kind, waybill), as parcels._as_parcels keys it
            subject.parcel_events[(n3, t1, n4)] = (t1, n3)
    return found, evidence, lambda: policy


def check_lookup_arguments(
    tokenised: list[TokenisedIdentifier], *, now: datetime, organisation_id: int
) -> list:
    """The parameters of check_lookup_sql() for this seller (also EXPLAINed at scale by benchmarks/single_check.py)."""
    keys = token_storage_keys()
    wanted = sorted(
        {(form, item.type) for item in tokenised for form in token_lookup_forms(item.token, keys=keys)}
    )
    return [
        [form for form, _ in wanted],
        [kind for _, kind in wanted],
        sorted(LINKING_TYPES),
        ReportStatus.ACCEPTED,  # subjects.counting: accepted and not past its expiry
        now,
        IdentifierType.STORE_URL,
        IdentifierType.WAYBILL,
        organisation_id,
    ]


def check_run(*, identifiers: list[RawIdentifier | SuppliedToken], purpose: str, actor: Actor) -> CheckResult:
    """Check the stated purpose, tokenise the seller's identifiers, match, pass the lookup gate
    (quota, sweeps, canaries), audit."""
    require(actor, Capability.CHECK_RUN, message=gettext("Your role does not grant check:run."))
    transfer_gate(organisation=actor.organisation, channel=TransferChannel.CHECK, actor=actor)
    purpose = purpose_require(organisation=actor.organisation, purpose=purpose)
    tokenised = identifiers_tokenise(identifiers=identifiers, default_country=actor.organisation.country)
    request_reads_only()  # its writes are bookkeeping (audit, quota, matches): no read-your-writes
    now = timezone.now()

    # The lookup and its evidence may read the replica (hub/replica_reads.py); the gate, the
    # matches and the audit below stay on the primary.
    def answer() -> tuple[list[FoundToken], CheckResult]:
        found, evidence, policy = check_lookup(tokenised, now=now, organisation_id=actor.organisation.pk)
        result = with_parcel_action(
            check_result_from(
                matched_tokens((row.pk, row.identifier_type, row.subject_id) for row in found),
                evidence,
                policy=policy,
                now=now,
            ),
            organisation_kind=actor.organisation.kind,
        )
        return found, result

    found, result = replica_read(actor.organisation.pk, answer)
    rows = [row for row in found if row.subject_id]
    # The quota, sweep-window and audit-head rows stay locked until the request commits, so they
    # are taken last: other checks of the organisation wait for the shortest while. A refused
    # quota refuses the answer (built by then, never returned) and its refusal audit commits.
    hit = result.level != "none"
    lookup_gate(actor=actor, tokenised=tokenised, matched=hit, tag=AuditTag.CHECK_RUN, now=now)
    if hit:  # shown, past the gate: what the organisation may later give feedback on (sharing/feedback/)
        subject_matches_record(
            organisation_id=actor.organisation.pk,
            matched=matched_by_subject((row.subject_id, row.pk) for row in rows),
            source=MatchSource.CHECK,
            reference=result.check_id,
            purpose=purpose,
            now=now,
        )
    transfer_record(
        organisation=actor.organisation,
        channel=TransferChannel.CHECK,
        target_type="check",
        target_id=result.check_id,
        member=actor.member,
    )
    audit_record(
        actor=actor,
        tag=AuditTag.CHECK_RUN,
        data_class=DataClass.SHAREABLE,
        target_type="check",
        target_id=result.check_id,
        details=check_audit_details(
            tokenised=tokenised,
            result=result,
            purpose=purpose,
            subjects={row.subject_public_id for row in rows if row.subject_public_id},
        ),
    )
    return result


def check_audit_details(
    *, tokenised: list[TokenisedIdentifier], result: CheckResult, purpose: str, subjects: set[str]
) -> dict:
    """What a check's audit row says of it (a single check, each seller of a batch): types, never values."""
    return {
        "identifier_types": sorted({t.type for t in tokenised}),
        "level": result.level,
        "purpose": purpose,
        "subjects": sorted(subjects),
        **lookup_counts(hits=int(result.level != "none"), looked_up=1),
    }


def with_parcel_action(result: CheckResult, *, organisation_kind: str) -> CheckResult:
    """The answer as a member of this kind gets it: a courier's carries the parcel action too."""
    if organisation_kind != OrganisationKind.LOGISTICS:
        return result
    return dataclasses.replace(result, parcel_action=parcel_action(result.recommended_action))


def check_result_for(matched: list[IdentifierToken], *, policy: dict, now: datetime) -> CheckResult:
    """The shareable answer for these matched token rows (one seller; weak rows may corroborate)."""
    return _check_result(matched, policy=policy, now=now)


def _check_result(
    found: list[IdentifierToken], *, policy: dict | Callable[[], dict], now: datetime
) -> CheckResult:
    tokens = matched_tokens((row.pk, row.identifier_type, row.subject_id) for row in found)
    return check_result_from(
        tokens, matched_evidence(*evidence_keys(tokens), now=now), policy=policy, now=now
    )


def matched_tokens(rows: Iterable[tuple[int, str, int | None]]) -> list[MatchedToken]:
    """The (token id, type, subject id) rows that can count: tokens of a subject, and weak tokens
    (which may corroborate one). A linking token without a subject has no live report: it counts for nothing."""
    return [
        MatchedToken(pk, kind, subject) for pk, kind, subject in rows if subject or kind not in LINKING_TYPES
    ]


def evidence_keys(tokens: Iterable[MatchedToken]) -> tuple[set[int], set[int]]:
    """What `matched_evidence` reads for these matched tokens: their subjects, and the weak tokens among them."""
    tokens = list(tokens)
    return {t.subject_id for t in tokens if t.subject_id}, {t.token_id for t in tokens if not t.subject_id}


def matched_evidence(
    subject_ids: Iterable[int], weak_token_ids: Iterable[int] = (), *, now: datetime
) -> dict[int, SubjectEvidence]:
    """Every subject's live reports, the tokens they name (and which of these weak tokens), its
    store accounts, its current feedback and its couriers' parcel events, in four queries: the weak
    tokens ride on the report join, never a query of their own."""
    subject_ids, weak_token_ids = set(subject_ids), set(weak_token_ids)
    evidence: dict[int, SubjectEvidence] = {}
    if not subject_ids:
        return evidence
    links = ReportIdentifier.objects.filter(
        Q(token__subject_id__in=subject_ids) | Q(token_id__in=weak_token_ids),
        counting(now, via="report__"),
    ).values_list(
        "token__subject_id",
        "token_id",
        "report_id",
        "report__reporter_organisation_id",
        "report__reporter_organisation__kind",
        "report__verification_level",
        "report__decision_verified",
        "report__ip_type",
        "report__category",
        "report__disputed",
        "report__submitted_at",
    )
    evidence = _evidence_from_links(links)
    if evidence:
        stores = (
            IdentifierToken.objects.filter(
                subject_id__in=list(evidence), identifier_type=IdentifierType.STORE_URL
            )
            .values("subject_id")
            .annotate(n=Count("pk"))
            .values_list("subject_id", "n")
        )
        for subject_id, count in stores:
            evidence[subject_id].store_accounts = count
        current = HitFeedback.objects.filter(subject_id__in=list(evidence), replaced_at__isnull=True)
        for subject_id, organisation_id, outcome in current.values_list(
            "subject_id", "organisation_id", "outcome"
        ):
            evidence[subject_id].feedback[organisation_id] = outcome
        for subject_id, events in parcel_event_counts(evidence).items():
            evidence[subject_id].parcel_events = events
    return evidence


def _evidence_from_links(links: Iterable[tuple]) -> dict[int, SubjectEvidence]:
    """Each subject's live reports and the tokens they name, from (subject, token, report, organisation,
    kind, verification, decision verified, IP type, category, disputed, submitted) rows; a row without a
    subject is a weak token a report names, kept only for reports of a subject."""
    evidence: dict[int, SubjectEvidence] = {}
    weak_named: dict[int, set[int]] = defaultdict(
        set
    )  # report pk → weak tokens; kept only for reports of a subject
    for (
        subject_id,
        token_id,
        pk,
        org,
        kind,
        verification,
        verified,
        ip_type,
        category,
        disputed,
        submitted_at,
    ) in links:
        if subject_id is None:
            weak_named[pk].add(token_id)
            continue
        subject = evidence.setdefault(subject_id, SubjectEvidence())
        if pk not in subject.reports:
            subject.reports[pk] = LiveReport(
                pk,
                org,
                kind,
                effective_verification(verification, verified),
                ip_type,
                category,
                disputed,
                submitted_at,
            )
        subject.tokens_named[pk].add(token_id)
    for subject in evidence.values():
        for pk in subject.reports.keys() & weak_named.keys():
            subject.weak_named[pk] = weak_named[pk]
    return evidence


def check_result_from(
    matched: list[MatchedToken],
    evidence: dict[int, SubjectEvidence],
    *,
    policy: dict | Callable[[], dict],
    now: datetime,
) -> CheckResult:
    """The answer for one seller's matched tokens, from evidence read for them (no queries but the
    policy, and that only when a report matched: pass a callable to read it lazily)."""
    check_id = str(uuid.uuid4())
    weak = [m for m in matched if not m.subject_id]
    matched = [m for m in matched if m.subject_id]
    subject_ids = {m.subject_id for m in matched}
    subjects = [evidence[s] for s in subject_ids if s in evidence]
    reports = {pk: report for subject in subjects for pk, report in subject.reports.items()}
    if not reports:
        return CheckResult(
            check_id=check_id,
            level="none",
            risk=0,
            explanation=gettext("No live report matches these identifiers."),
        )
    rows = list(reports.values())
    matched_ids = {m.token_id for m in matched}
    # Direct when every report names one of the seller's own identifiers, not only a linked account's.
    direct = all(subject.tokens_named[pk] & matched_ids for subject in subjects for pk in subject.reports)
    matched_types = frozenset(m.identifier_type for m in matched)
    weak_on_file = {token for subject in subjects for named in subject.weak_named.values() for token in named}
    corroborated = frozenset(m.identifier_type for m in weak if m.token_id in weak_on_file)
    organisations = {r.organisation_id for r in rows}
    # A reporter's own feedback on what it reported is not independent: it never counts.
    feedback = [
        (org, outcome) for s in subjects for org, outcome in s.feedback.items() if org not in organisations
    ]
    acted = {org for org, outcome in feedback if outcome == FeedbackOutcome.ACTED}
    false_positive = {org for org, outcome in feedback if outcome == FeedbackOutcome.FALSE_POSITIVE}
    first_seen, last_seen = min(r.submitted_at for r in rows), max(r.submitted_at for r in rows)
    evidence_summary = Evidence(
        organisations=len(organisations),
        strongest_verification=max(
            (r.effective_verification for r in rows), key=VERIFICATION_RANK.__getitem__
        ),
        matched_types=matched_types,
        last_seen=last_seen,
        disputed=any(r.disputed for r in rows),
        corroborated_types=corroborated,
        # The true counts: risk weighs them only from the suppression threshold on (risk.py), and
        # the answer's own fields below are suppressed, so the counts never leave as small numbers.
        members_acted=len(acted),
        members_false_positive=len(false_positive),
    )
    strikes = [Strike(r.submitted_at, r.effective_verification, r.category) for r in rows]
    feedback_counts = _feedback_counts(subjects, independent_of=organisations)
    result = CheckResult(
        check_id=check_id,
        level=level_of(evidence_summary),
        risk=risk_of(evidence_summary, now=now),
        matched_types=sorted(matched_types),
        corroborated_types=sorted(corroborated),
        match="direct" if direct else "linked",
        reports_matched=len(rows),
        subjects_matched=len(subject_ids),
        reporting_organisations=len(organisations),
        reporter_kinds=sorted({r.organisation_kind for r in rows}),
        strongest_verification=evidence_summary.strongest_verification,
        ip_types=sorted({r.ip_type for r in rows}),
        categories=sorted({r.category for r in rows}),
        first_seen=first_seen,
        last_seen=last_seen,
        disputed=evidence_summary.disputed,
        linked_store_accounts=sum(s.store_accounts for s in subjects),
        linked_platforms=len({r.organisation_id for r in rows if r.organisation_kind == "platform"}),
        # Suppressed per subject before pooling (suppressed_pooled): a seller's hidden count is not the
        # difference between checking it beside a shown seller and checking that seller alone.
        members_acted=feedback_counts[FeedbackOutcome.ACTED],
        members_false_positive=feedback_counts[FeedbackOutcome.FALSE_POSITIVE],
        recommended_action=recommended_action(policy() if callable(policy) else policy, strikes, now=now),
        parcel_events=parcel_counts_suppressed(s.parcel_events for s in subjects),
    )
    return CheckResult(**{**result.__dict__, "explanation": explain(result)})


def _feedback_counts(
    subjects: list[SubjectEvidence], *, independent_of: set[int]
) -> dict[str, SuppressedCount]:
    """Per outcome (acted, false positive), the distinct organisations pooled across the subjects, shown
    only when each subject on its own stands on the threshold (reporters' own feedback left out)."""
    outcomes = (FeedbackOutcome.ACTED, FeedbackOutcome.FALSE_POSITIVE)
    groups = [
        [
            (outcome, org, org)
            for org, outcome in s.feedback.items()
            if org not in independent_of and outcome in outcomes
        ]
        for s in subjects
    ]
    return suppressed_pooled(groups, outcomes)


def explain(result: CheckResult) -> str:
    """A sentence a trust-and-safety analyst can act on: what matched, how, and how strongly (in the
    active language; each clause is one catalogue entry, so the grammar is the translator's)."""
    shared = _joined(result.matched_types)
    subjects = {"n": result.subjects_matched, "types": shared}
    # One "how" and one "by what": "through a linked account through a shared ..." said both with one preposition.
    if result.match == "direct":
        matched = ngettext(
            "Matched %(n)s subject directly, by a shared %(types)s",
            "Matched %(n)s subjects directly, by a shared %(types)s",
            result.subjects_matched,
        )
    else:
        matched = ngettext(
            "Matched %(n)s subject through a linked account, by a shared %(types)s",
            "Matched %(n)s subjects through a linked account, by a shared %(types)s",
            result.subjects_matched,
        )
    clauses = [matched % subjects, _reports_clause(result)]
    if result.linked_store_accounts:
        clauses.append(_accounts_clause(result))
    if result.corroborated_types:
        clauses.append(
            gettext("its reports also carry the %(types)s given (corroboration only: no extra reporter)")
            % {"types": _joined(result.corroborated_types)}
        )
    if result.disputed:
        clauses.append(gettext("the listing is disputed"))
    return gettext("%(clauses)s.") % {"clauses": gettext("; ").join(clauses)}


def _reports_clause(result: CheckResult) -> str:
    reports = ngettext("%(n)s live report", "%(n)s live reports", result.reports_matched) % {
        "n": result.reports_matched
    }
    organisations = ngettext(
        "%(n)s independent organisation", "%(n)s independent organisations", result.reporting_organisations
    ) % {"n": result.reporting_organisations}
    return gettext("%(reports)s from %(organisations)s") % {
        "reports": reports,
        "organisations": organisations,
    }


def _accounts_clause(result: CheckResult) -> str:
    accounts = ngettext(
        "that subject holds %(n)s store account",
        "that subject holds %(n)s store accounts",
        result.linked_store_accounts,
    ) % {"n": result.linked_store_accounts}
    if not result.linked_platforms:
        return accounts
    return ngettext(
        "%(accounts)s reported on %(n)s platform",
        "%(accounts)s reported on %(n)s platforms",
        result.linked_platforms,
    ) % {"accounts": accounts, "n": result.linked_platforms}


def _joined(types) -> str:
    labels = [str(IDENTIFIER_TYPE_LABELS[IdentifierType(t)]).lower() for t in types]
    if len(labels) < 3:
        return gettext(" and ").join(labels)
    return gettext("%(first)s and %(last)s") % {"first": gettext(", ").join(labels[:-1]), "last": labels[-1]}
