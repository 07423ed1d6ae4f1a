"""What became of a rights owner's reports: for each subject its accepted reports name, the shareable
state now, the accounts linked to it since, how many members checked and acted on it, its disputes.

Nothing here names another reporter or member, nor holds an identifier's value: the state is the
check answer a member holding the owner's own identifiers would get (check_result_from), linked
accounts are types and a count, and every count of members' behaviour is a SuppressedCount, shown
only at or above HUB_OUTCOME_SUPPRESSION_THRESHOLD distinct organisations.

Where checks are recorded: every path that shows a member a hit (a single check, a bulk
screening, a watch) records a SubjectMatch once (sharing/checks/services/matches.py); members
that checked a seller, and hits, are counted from those rows, never by scanning audit rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.models import Organisation
from accounts.roles import Capability
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_for_actor
from hubcore.identifiers.types import LINKING_TYPES
from sharing.checks.services.checks import (
    DEFAULT_LEVEL_POLICY,
    CheckResult,
    MatchedToken,
    check_result_from,
    matched_evidence,
)

# suppression_threshold is re-exported: the outcome pages read it here.
from sharing.checks.services.suppression import (  # noqa: F401
    SuppressedCount,
    suppressed,
    suppression_threshold,
)
from sharing.models import (
    DisputedReport,
    FeedbackOutcome,
    HitFeedback,
    IdentifierToken,
    Report,
    ReportIdentifier,
    ReportStatus,
    Subject,
    SubjectMatch,
)
from sharing.subjects.services.subjects import counting

# --- Members' feedback: the one place its counts come from -------------------------------------


@dataclass(frozen=True)
class FeedbackCounts:
    """What members said about one subject: how many distinct member organisations acted on it and
    how many called it a false positive (sharing/feedback/: each organisation's feedback on a seller)."""

    acted_by: frozenset[int] = frozenset()  # organisation ids: never leave this module's callers
    false_positive_by: frozenset[int] = frozenset()

    @property
    def acted_organisations(self) -> int:
        return len(self.acted_by)

    @property
    def false_positive_organisations(self) -> int:
        return len(self.false_positive_by)


def subject_feedback_counts(
    subject_ids: Iterable[int], *, between: tuple[datetime, datetime] | None = None
) -> dict[int, FeedbackCounts]:
    """Feedback counts per subject (by primary key): each organisation's current feedback, or with
    `between` every feedback given in [start, end), a replaced one included (it was an action then).
    The outcome pages, the API and the statistics read members' actions only through this function."""
    wanted = list(subject_ids)
    given = HitFeedback.objects.filter(subject_id__in=wanted)
    if between is None:
        given = given.filter(replaced_at__isnull=True)
    else:
        given = given.filter(created_at__gte=between[0], created_at__lt=between[1])
    acted: dict[int, set[int]] = defaultdict(set)
    false_positive: dict[int, set[int]] = defaultdict(set)
    for subject_id, organisation_id, outcome in given.values_list("subject_id", "organisation_id", "outcome"):
        (acted if outcome == FeedbackOutcome.ACTED else false_positive)[subject_id].add(organisation_id)
    return {
        subject_id: FeedbackCounts(frozenset(acted[subject_id]), frozenset(false_positive[subject_id]))
        for subject_id in wanted
    }


# --- Outcomes per subject ----------------------------------------------------------------------


@dataclass(frozen=True)
class DisputeOutcome:
    """One dispute of one of the owner's reports of the subject: never who filed it."""

    filed_at: datetime
    state: str
    state_label: str
    response_due: object
    decided_at: datetime | None


@dataclass(frozen=True)
class SubjectOutcome:
    public_id: str
    first_accepted_at: datetime
    your_reports: int
    expires_at: datetime | None  # the latest expiry of the owner's own accepted reports of it
    state: CheckResult
    new_accounts: int
    new_account_types: list[str]
    checked_by: SuppressedCount
    acted_by: SuppressedCount
    disputes: list[DisputeOutcome] = field(default_factory=list)


def _own_accepted(organisation: Organisation, via: str = "") -> Q:
    return Q(
        **{
            f"{via}reporter_organisation": organisation,
            f"{via}status": ReportStatus.ACCEPTED,
        }
    )


def owner_subjects(*, actor: Actor) -> QuerySet[Subject]:
    """The subjects the actor's organisation's accepted reports name, most recently accepted first,
    each annotated with `first_accepted` (the organisation's first acceptance naming it)."""
    require(actor, Capability.REPORT_READ)
    return organisation_subjects(actor.organisation)


def organisation_subjects(organisation: Organisation) -> QuerySet[Subject]:
    """`owner_subjects` for an organisation (the feed publishes each organisation's, with no actor)."""
    own = _own_accepted(organisation, via="tokens__report_links__report__")
    return (
        Subject.objects.annotate(first_accepted=Min("tokens__report_links__report__reviewed_at", filter=own))
        .filter(first_accepted__isnull=False)
        .order_by("-first_accepted", "-pk")
    )


def first_accepted_of(subject: Subject) -> datetime:
    """The `first_accepted` annotation `owner_subjects` puts on each subject."""
    return subject.first_accepted  # type: ignore[attr-defined]


def subject_outcomes(
    *, actor: Actor, subjects: list[Subject], now: datetime | None = None
) -> list[SubjectOutcome]:
    """The outcome of each of these subjects (from `owner_subjects`), in their order; a fixed
    number of queries whatever their number."""
    return organisation_outcomes(organisation=actor.organisation, subjects=subjects, now=now)


def organisation_outcomes(
    *, organisation: Organisation, subjects: list[Subject], now: datetime | None = None
) -> list[SubjectOutcome]:
    """`subject_outcomes` for an organisation (subjects from `organisation_subjects`)."""
    now = now or timezone.now()
    ids = [subject.pk for subject in subjects]
    if not ids:
        return []
    own_links = list(
        ReportIdentifier.objects.filter(
            _own_accepted(organisation, via="report__"), token__subject_id__in=ids
        ).values_list(
            "token_id", "token__identifier_type", "token__subject_id", "report_id", "report__expires_at"
        )
    )
    own_tokens: dict[int, list[MatchedToken]] = defaultdict(list)
    own_reports: dict[int, set[int]] = defaultdict(set)
    expiries: dict[int, datetime] = {}
    for token_id, kind, subject_id, report_id, expires_at in own_links:
        own_tokens[subject_id].append(MatchedToken(token_id, kind, subject_id))
        own_reports[subject_id].add(report_id)
        if expires_at and (subject_id not in expiries or expires_at > expiries[subject_id]):
            expiries[subject_id] = expires_at
    evidence = matched_evidence(ids, now=now)
    first_accepted = {subject.pk: first_accepted_of(subject) for subject in subjects}
    linked = _linked_since(first_accepted, organisation=organisation, now=now)
    checks = _checks_of(first_accepted, organisation=organisation, until=now)
    feedback = subject_feedback_counts(ids)
    disputes = _disputes_of(own_reports)
    outcomes = []
    for subject in subjects:
        new = linked.get(subject.pk, [])
        checked = checks.get(subject.pk, CheckCounts())
        acted = feedback[subject.pk]
        outcomes.append(
            SubjectOutcome(
                public_id=str(subject.public_id),
                first_accepted_at=first_accepted_of(subject),
                your_reports=len(own_reports[subject.pk]),
                expires_at=expiries.get(subject.pk),
                state=check_result_from(
                    own_tokens[subject.pk], evidence, policy=DEFAULT_LEVEL_POLICY, now=now
                ),
                new_accounts=len(new),
                new_account_types=sorted({kind for kind, _ in new}),
                checked_by=suppressed(len(checked.organisations)),
                acted_by=suppressed(acted.acted_organisations),
                disputes=disputes.get(subject.pk, []),
            )
        )
    return outcomes


def accounts_linked_since(
    first_accepted: dict[int, datetime], *, actor: Actor, now: datetime
) -> dict[int, list[tuple[str, datetime]]]:
    """Per subject, the (type, linked at) of each account linked to it after the organisation's first
    acceptance naming it, leaving out the accounts its own reports name (it knows them already).

    An account is linked when the first counting report naming it was accepted (its review time)."""
    return _linked_since(first_accepted, organisation=actor.organisation, now=now)


def _linked_since(
    first_accepted: dict[int, datetime], *, organisation: Organisation, now: datetime
) -> dict[int, list[tuple[str, datetime]]]:
    tokens = (
        IdentifierToken.objects.filter(subject_id__in=list(first_accepted), identifier_type__in=LINKING_TYPES)
        .exclude(
            report_links__report__in=Report.objects.filter(reporter_organisation=organisation).values("pk")
        )
        .annotate(
            linked_at=Min(
                "report_links__report__reviewed_at", filter=counting(now, via="report_links__report__")
            )
        )
        .values_list("subject_id", "identifier_type", "linked_at")
    )
    linked: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for subject_id, kind, linked_at in tokens:
        if linked_at is not None and linked_at > first_accepted[subject_id]:
            linked[subject_id].append((kind, linked_at))
    return linked


@dataclass
class CheckCounts:
    """The screenings that showed a subject: the organisations, and each match's time."""

    organisations: set[int] = field(default_factory=set)
    # (organisation id, when, the purpose the screening stated; "" before purpose limitation)
    checks: list[tuple[int, datetime, str]] = field(default_factory=list)


def checks_of_subjects(
    since: dict[int, datetime], *, actor: Actor, until: datetime
) -> dict[int, CheckCounts]:
    """Per subject (pk → since), the hits other organisations' screenings (a check, a bulk screening,
    a watch) recorded on it in [since, until): one query over the recorded matches, each written
    once (sharing/checks/services/matches.py). The organisation ids never leave this module's callers."""
    return _checks_of(since, organisation=actor.organisation, until=until)


def _checks_of(
    since: dict[int, datetime], *, organisation: Organisation, until: datetime
) -> dict[int, CheckCounts]:
    counts: dict[int, CheckCounts] = defaultdict(CheckCounts)
    if not since:
        return counts
    rows = (
        SubjectMatch.objects.filter(
            subject_id__in=list(since), matched_at__gte=min(since.values()), matched_at__lt=until
        )
        .exclude(organisation=organisation)
        .values_list("subject_id", "organisation_id", "matched_at", "purpose")
    )
    for subject_id, organisation_id, matched_at, purpose in rows:
        if matched_at >= since[subject_id]:
            counts[subject_id].organisations.add(organisation_id)
            counts[subject_id].checks.append((organisation_id, matched_at, purpose))
    return counts


def _disputes_of(own_reports: dict[int, set[int]]) -> dict[int, list[DisputeOutcome]]:
    subject_of = {report: subject for subject, reports in own_reports.items() for report in reports}
    rows = (
        DisputedReport.objects.filter(report_id__in=list(subject_of))
        .select_related("dispute")
        .order_by("dispute__filed_at", "pk")
    )
    disputes: dict[int, list[DisputeOutcome]] = defaultdict(list)
    for row in rows:
        disputes[subject_of[row.report_id]].append(
            DisputeOutcome(
                filed_at=row.dispute.filed_at,
                state=row.state,
                state_label=str(row.get_state_display()),
                response_due=row.response_due,
                decided_at=row.dispute.decided_at,
            )
        )
    return disputes


def outcomes_page_audit(*, actor: Actor, page: list[Subject]) -> None:
    """Audit a page of outcomes shown to the actor (subject ids only), in the request's transaction."""
    transfer_for_actor(actor=actor, channel=TransferChannel.OUTCOMES, target_type="subject")
    audit_record(
        actor=actor,
        tag=AuditTag.OUTCOMES_LISTED,
        data_class=DataClass.SHAREABLE,
        target_type="subject",
        legal_basis=LegalBasis.MEMBERSHIP_TERMS,
        details={"count": len(page), "ids": [str(subject.public_id) for subject in page]},
    )


# --- The feed's "Sellers you reported" (sharing/feed/services/audiences.py) --------------------


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def outcome_feed_state(outcome: SubjectOutcome) -> dict:
    """One outcome as the feed publishes it: the outcomes API's fields, STIX-shaped (no null, no
    empty list: an absent property is an empty one)."""
    state = {
        "subject_id": outcome.public_id,
        "first_accepted_at": _stamp(outcome.first_accepted_at),
        "your_accepted_reports": outcome.your_reports,
        "expires_at": _stamp(outcome.expires_at) if outcome.expires_at else None,
        "level": outcome.state.level,
        "risk": outcome.state.risk,
        "identifier_types": list(outcome.state.matched_types),
        "independent_reporters": outcome.state.reporting_organisations,
        "live_reports": outcome.state.reports_matched,
        "disputed": outcome.state.disputed,
        "linked_store_accounts": outcome.state.linked_store_accounts,
        "first_seen": _stamp(outcome.state.first_seen) if outcome.state.first_seen else None,
        "last_seen": _stamp(outcome.state.last_seen) if outcome.state.last_seen else None,
        "new_accounts": outcome.new_accounts,
        "new_account_types": outcome.new_account_types,
        "members_checked": outcome.checked_by.as_json(),
        "members_acted": outcome.acted_by.as_json(),
        "disputes": [
            {
                key: value
                for key, value in {
                    "filed_at": _stamp(dispute.filed_at),
                    "state": dispute.state,
                    "response_due": str(dispute.response_due) if dispute.response_due else None,
                    "decided_at": _stamp(dispute.decided_at) if dispute.decided_at else None,
                }.items()
                if value is not None
            }
            for dispute in outcome.disputes
        ],
    }
    return {key: value for key, value in state.items() if value is not None and value != []}


def feed_outcome_states(subject_pks: Iterable[int], now: datetime) -> dict[tuple[int, int], dict]:
    """For every organisation whose accepted reports name one of these subjects, each such subject's
    outcome as its feed object publishes it, by (organisation pk, subject pk)."""
    wanted = list(subject_pks)
    organisations = Organisation.objects.filter(
        pk__in=Report.objects.filter(
            status=ReportStatus.ACCEPTED, identifiers__token__subject_id__in=wanted
        ).values("reporter_organisation_id")
    )
    states: dict[tuple[int, int], dict] = {}
    for organisation in organisations:
        subjects = list(organisation_subjects(organisation).filter(pk__in=wanted))
        for outcome, subject in zip(
            organisation_outcomes(organisation=organisation, subjects=subjects, now=now),
            subjects,
            strict=True,
        ):
            states[(organisation.pk, subject.pk)] = outcome_feed_state(outcome)
    return states
