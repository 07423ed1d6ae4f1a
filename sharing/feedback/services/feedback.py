"""Feedback from recipients: a member says what it did about a subject its own screening matched.

A member may give feedback only on a subject its organisation's check or bulk screening matched
(SubjectMatch, written where the hit was shown); anything else, another organisation's match or
a subject that does not exist, is the same audited 404. It names the subject by the check's id or
by the subject's indicator id in the feed (a STIX sighting's sighting_of_ref).

One current feedback per (organisation, subject): a new one replaces the old, which stays on
record with the moment it was replaced. Only current rows count: as independent members' counts
in the subject's risk (sharing/checks/services/risk.py), in its feed object, and in its
reporters' standing (misfired reports, sharing/reports/services/reputation.py). Another member
sees counts only; the feedback itself, and its note above all, stay with the organisation.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from accounts.scoped import not_visible, public_id_or_none
from hub.errors import ConflictError
from hubcore.identifiers.types import LINKING_TYPES
from sharing import locks
from sharing.checks.services.checks import (
    DEFAULT_LEVEL_POLICY,
    MatchedToken,
    check_result_from,
    matched_evidence,
)
from sharing.feed.services.publish import feed_publish
from sharing.models import (
    FeedbackOutcome,
    FeedObjectVersion,
    HitFeedback,
    IdentifierToken,
    Report,
    Subject,
    SubjectMatch,
)
from sharing.reports.services.reputation import reputation_refresh

MATCHED_SELLER = gettext_noop("matched seller")


@dataclass(frozen=True)
class FeedbackGiven:
    """What a member says about a hit; `action` only with "acted"."""

    outcome: str
    action: str = ""
    reasons: tuple[str, ...] = ()
    note: str = ""


def feedback_given_problems(*, outcome: str, action: str) -> dict[str, list[str]]:
    """Per-field messages for an outcome and action that do not go together (the API, sightings, the page)."""
    if outcome == FeedbackOutcome.ACTED and not action:
        return {"action": [gettext("Say what you did: blocked, delisted or parcel refused.")]}
    if outcome == FeedbackOutcome.FALSE_POSITIVE and action:
        return {"action": [gettext("A false positive takes no action.")]}
    return {}


def feedback_record(
    *, actor: Actor, given: FeedbackGiven, check_id=None, indicator: str | None = None
) -> list[HitFeedback]:
    """Record the feedback on every subject the check (or the one the indicator) names that the
    actor's organisation matched; the current feedback of each is replaced, its history kept."""
    require(actor, Capability.FEEDBACK_RECORD, message=gettext("Your role does not grant feedback:record."))
    subject_ids = matched_subjects(actor=actor, check_id=check_id, indicator=indicator)
    try:
        return _feedback_store(actor=actor, given=given, subject_ids=subject_ids)
    except IntegrityError:  # a concurrent first feedback on the same seller won the one-current rule
        raise ConflictError(
            gettext("Another feedback on this seller was recorded at the same moment; send yours again.")
        ) from None


@transaction.atomic
def _feedback_store(*, actor: Actor, given: FeedbackGiven, subject_ids: list[int]) -> list[HitFeedback]:
    now = timezone.now()
    previous = {
        row.subject_id: row
        for row in locks.lock_current_feedback(
            HitFeedback.objects.filter(
                organisation=actor.organisation, subject_id__in=subject_ids, replaced_at__isnull=True
            )
        )
    }
    if previous:
        HitFeedback.objects.filter(pk__in=[row.pk for row in previous.values()]).update(replaced_at=now)
    created = HitFeedback.objects.bulk_create(
        [
            HitFeedback(
                organisation=actor.organisation,
                subject_id=subject_id,
                member=actor.member,
                outcome=given.outcome,
                action=given.action,
                reasons=sorted(set(given.reasons)),
                note=given.note,
                created_at=now,
            )
            for subject_id in subject_ids
        ]
    )
    subjects = dict(Subject.objects.filter(pk__in=subject_ids).values_list("pk", "public_id"))
    for subject_id, row in zip(subject_ids, created, strict=True):
        replaced = previous.get(subject_id)
        audit_record(
            actor=actor,
            tag=AuditTag.FEEDBACK_RECORDED,
            target=row,
            data_class=DataClass.SHAREABLE,
            # The note is the member's free text: it may name anyone, so only its presence is recorded.
            details={
                "subject": str(subjects[subject_id]),
                "outcome": row.outcome,
                "action": row.action,
                "reasons": row.reasons,
                "note_given": bool(row.note),
                "replaced": str(replaced.public_id) if replaced else None,
            },
        )
    # The counts moved: the reporters' standing (misfired reports) and the subjects' feed objects.
    reporters = sorted(
        set(
            Report.objects.filter(identifiers__token__subject_id__in=subject_ids).values_list(
                "reporter_organisation_id", flat=True
            )
        )
    )
    for organisation_id in reporters:
        reputation_refresh(organisation_id=organisation_id)
    feed_publish(subject_ids)
    return created


def matched_subjects(*, actor: Actor, check_id=None, indicator: str | None = None) -> list[int]:
    """The subjects the actor's organisation matched that the check id or indicator names, or an audited 404."""
    matches = SubjectMatch.objects.filter(organisation=actor.organisation)
    wanted: uuid.UUID | None = None
    subject_ids: set[int] = set()
    if check_id is not None:
        wanted = public_id_or_none(check_id)
        if wanted is not None:
            subject_ids = set(matches.filter(reference=str(wanted)).values_list("subject_id", flat=True))
    elif indicator and indicator.startswith("indicator--"):
        wanted = public_id_or_none(indicator.removeprefix("indicator--"))
        subject_pk = (
            FeedObjectVersion.objects.filter(stix_id=indicator, subject_pk__isnull=False)
            .values_list("subject_pk", flat=True)
            .first()
        )
        if subject_pk is not None:
            subject_ids = set(matches.filter(subject_id=subject_pk).values_list("subject_id", flat=True))
    if not subject_ids:
        not_visible(
            actor=actor,
            tag=AuditTag.FEEDBACK_RECORDED,
            target_type="subject",
            public_id=wanted,
            noun=MATCHED_SELLER,
        )
    return sorted(subject_ids)


def feedback_current_of(*, actor: Actor) -> QuerySet[HitFeedback]:
    """The organisation's current feedback, newest first, each with its subject's indicator id in the feed."""
    require(actor, Capability.FEEDBACK_RECORD, message=gettext("Your role does not grant feedback:record."))
    newest = FeedObjectVersion.objects.filter(subject_pk=OuterRef("subject_id")).order_by("-sequence")
    return (
        HitFeedback.objects.filter(organisation=actor.organisation, replaced_at__isnull=True)
        .annotate(indicator=Subquery(newest.values("stix_id")[:1]))
        .order_by("-created_at", "-pk")
    )


def feedback_page_audit(*, actor: Actor, page: list[HitFeedback]) -> None:
    """Audit a page of the organisation's feedback shown to the actor (ids only), in the request's transaction."""
    audit_record(
        actor=actor,
        tag=AuditTag.FEEDBACK_READ,
        data_class=DataClass.SHAREABLE,
        target_type="feedback",
        details={"count": len(page), "ids": [str(row.public_id) for row in page]},
    )


def indicator_of(subject_id: int | None) -> str | None:
    """The subject's live object in the feed (None when it has none, or no longer one)."""
    if subject_id is None:
        return None
    last = FeedObjectVersion.objects.filter(subject_pk=subject_id).order_by("-sequence").first()
    return None if last is None or last.revoked else last.stix_id


@dataclass(frozen=True)
class SellerMatched:
    """The seller a feedback is about, as its organisation may see it: never a raw value."""

    subject_id: str | None = None  # the subject's public id; None once the subject is gone
    matched_types: tuple[str, ...] = ()  # the identifier types the organisation's screening matched
    level: str | None = None  # the subject's level now
    matched_at: datetime | None = None  # when the organisation's screening first matched it


def feedback_sellers(
    *, actor: Actor, rows: list[HitFeedback], now: datetime | None = None
) -> list[HitFeedback]:
    """Set `seller` (a SellerMatched) on each of the organisation's feedback rows, in a fixed number of
    queries: the subject's public id, the types of the tokens the organisation matched, the level
    now (the check rule over the subject's live reports), and when it first matched it."""
    now = now or timezone.now()
    subject_ids = {row.subject_id for row in rows if row.subject_id}
    first: dict[int, datetime] = {}
    matched: dict[int, set[int]] = defaultdict(set)
    for subject_id, at, tokens in SubjectMatch.objects.filter(
        organisation=actor.organisation, subject_id__in=subject_ids
    ).values_list("subject_id", "matched_at", "tokens"):
        first[subject_id] = min(first.get(subject_id, at), at)
        matched[subject_id] |= set(tokens)
    held: dict[int, list[MatchedToken]] = defaultdict(list)
    for pk, kind, subject_id in IdentifierToken.objects.filter(
        subject_id__in=subject_ids, identifier_type__in=LINKING_TYPES
    ).values_list("pk", "identifier_type", "subject_id"):
        held[subject_id].append(MatchedToken(pk, kind, subject_id))
    evidence = matched_evidence(subject_ids, now=now)
    public = dict(Subject.objects.filter(pk__in=subject_ids).values_list("pk", "public_id"))
    for row in rows:
        if row.subject_id not in public:
            row.seller = SellerMatched()  # type: ignore[attr-defined]
            continue
        subject_id = row.subject_id
        level = check_result_from(held[subject_id], evidence, policy=DEFAULT_LEVEL_POLICY, now=now).level
        row.seller = SellerMatched(  # type: ignore[attr-defined]
            subject_id=str(public[subject_id]),
            matched_types=tuple(
                sorted({t.identifier_type for t in held[subject_id] if t.token_id in matched[subject_id]})
            ),
            level=level,
            matched_at=first.get(subject_id),
        )
    return rows


def seller_of(row: HitFeedback) -> SellerMatched:
    """The seller `feedback_sellers` set on a row."""
    return row.seller  # type: ignore[attr-defined]
