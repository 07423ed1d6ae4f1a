"""Cross-platform sales totals under the requester's Paillier key (issue 17).

1. A rights owner with a listed seller it reported (or a court, for a case) asks for the seller's
   totals over a period, in one currency, under its Paillier public key (n ≥ 3072 bits; the key pair
   is hubctl's, never the hub's). One request per seller and period: a period overlapping an earlier
   request for the same seller that may still release (or did) is refused, so no one learns a member's
   figure by differencing; courts and rights owners are checked apart (see _overlapping).
2. Every platform and logistics member whose own check, bulk screening or watch matched the seller
   (SubjectMatch) gets a task; it submits three ciphertexts (gross sales in minor units, orders,
   units), encrypted by hubctl under the requester's key, and how many accounts they cover, or it
   declines with a reason. The hub checks each ciphertext is well formed for the key.
3. At the fixed deadline (sharing.tasks.sales_totals_close_task) the hub adds the ciphertexts,
   re-randomises the sums and releases them with a signed statement, only when at least k members
   contributed; otherwise the request is refused. Either way every member's ciphertexts are deleted.

Every step is audited; a member's submission and the release are restricted-class events under the
request's legal basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability, OrganisationKind
from accounts.scoped import not_visible, public_id_or_none
from hub.errors import ConflictError, DomainError
from hubcore import paillier
from sharing import locks
from sharing.models import (
    IdentifierToken,
    SalesTotalsRequest,
    SalesTotalsStatus,
    SalesTotalsTask,
    SalesTotalsTaskStatus,
    Subject,
    SubjectMatch,
)
from sharing.sales_totals.services.currencies import currency_known
from sharing.sales_totals.services.statement import statement_signed
from sharing.subjects.services.subjects import reports_counting
from sharing.watchlists.services.watchlists import organisation_event_write

LISTED_SELLER = gettext_noop("listed seller")
CONTRIBUTING_KINDS = (OrganisationKind.PLATFORM, OrganisationKind.LOGISTICS)
MAX_ACCOUNTS = 10_000_000
TASK_CREATED_EVENT = "sales_totals.task_created"
# The reason code of a request refused at its deadline (refusal_message words it).
REFUSED_FEWER_THAN_K = "fewer_than_k"


def refusal_message(request: SalesTotalsRequest) -> str:
    """Why a refused request was refused, in the active language."""
    if request.refusal_reason == REFUSED_FEWER_THAN_K:
        return gettext("Fewer than %(k)d members contributed by the deadline; nothing was released.") % {
            "k": request.k
        }
    return request.refusal_reason


@dataclass(frozen=True)
class SalesTotalsAsk:
    """What a requester asks for; `n` is its Paillier modulus in decimal."""

    subject: str
    period_start: date
    period_end: date
    currency: str
    n: str
    k: int | None = None
    case_reference: str = ""


def ask_problems(ask: SalesTotalsAsk) -> dict[str, list[str]]:
    """Per-field messages for what is wrong with the ask on its own (the API's and any caller's check)."""
    problems: dict[str, list[str]] = {}
    if ask.period_end < ask.period_start:
        problems["period_end"] = [gettext("The period cannot end before it starts.")]
    elif ask.period_end > timezone.now().date():
        problems["period_end"] = [gettext("The period must have ended: give a date no later than today.")]
    if not currency_known(ask.currency):
        problems["currency"] = [gettext("Give an ISO 4217 currency code, such as EUR or CNY.")]
    try:
        paillier.modulus_parse(ask.n)
    except paillier.PaillierInputError as error:
        problems["public_key"] = [_key_message(error.code)]
    minimum = settings.HUB_SALES_TOTALS_MIN_CONTRIBUTORS
    if ask.k is not None and ask.k < minimum:
        problems["k"] = [
            gettext("At least %(minimum)d members must contribute; k cannot be lower.") % {"minimum": minimum}
        ]
    return problems


def _key_message(code: str) -> str:
    if code == "too_short":
        return gettext("The Paillier key must be at least %(bits)d bits.") % {"bits": paillier.MIN_KEY_BITS}
    if code == "even":
        return gettext("This is not a Paillier modulus: n is even.")
    return gettext("Give the Paillier public key n in decimal digits.")


def sales_totals_request(*, ask: SalesTotalsAsk, actor: Actor) -> SalesTotalsRequest:
    """Make a request and its members' tasks; a seller the actor may not ask about is an audited 404."""
    require(actor, Capability.SALES_TOTALS_REQUEST, denied_tag=AuditTag.SALES_TOTALS_REQUESTED)
    problems = ask_problems(ask)
    if actor.organisation.kind == OrganisationKind.COURT and not ask.case_reference.strip():
        problems["case_reference"] = [gettext("A court names the case the totals are for.")]
    if problems:
        raise DomainError(gettext("The request cannot be made as it stands."), fields=problems)
    subject = _subject_for(actor=actor, public_id=ask.subject)
    return _request_create(ask=ask, subject=subject, actor=actor)


def _subject_for(*, actor: Actor, public_id: str) -> Subject:
    """The listed seller: one the rights owner reported (a live accepted report), any for a court."""
    wanted = public_id_or_none(public_id)
    subject = Subject.objects.filter(public_id=wanted).first() if wanted else None
    if subject is not None and actor.organisation.kind != OrganisationKind.COURT:
        reported = reports_counting().filter(
            reporter_organisation=actor.organisation, identifiers__token__subject=subject
        )
        if not reported.exists():
            subject = None
    if subject is None:
        not_visible(
            actor=actor,
            tag=AuditTag.SALES_TOTALS_REQUESTED,
            target_type="subject",
            public_id=wanted,
            noun=LISTED_SELLER,
        )
    return subject


def _overlapping(subject: Subject, tokens: list[int], ask: SalesTotalsAsk, *, court: bool) -> bool:
    """Whether a request for this seller, or for any seller sharing an account with it (one it was
    merged from or split off from, however many parts), already covers part of the period.

    Only requests that may still release, or did, count: a refused one released nothing to subtract.
    Courts and rights owners are kept apart, so a rights owner's request cannot block a court's order
    (nor a court's a rights owner's): each result is encrypted to its own requester's key, so neither
    can subtract the other's. Among rights owners every requester counts, since two of them could
    pool their results."""
    by_courts = Q(requester__kind=OrganisationKind.COURT)
    earlier = (
        SalesTotalsRequest.objects.filter(period_start__lte=ask.period_end, period_end__gte=ask.period_start)
        .exclude(status=SalesTotalsStatus.REFUSED)
        .filter(by_courts if court else ~by_courts)
        .values_list("subject_id", "subject_ref", "tokens")
    )
    held = set(tokens)
    return any(
        subject_id == subject.pk or subject_ref == subject.public_id or held.intersection(asked)
        for subject_id, subject_ref, asked in earlier
    )


@transaction.atomic
def _request_create(*, ask: SalesTotalsAsk, subject: Subject, actor: Actor) -> SalesTotalsRequest:
    if locks.lock_subject(subject.pk) is None:  # gone since it was read
        raise ConflictError(gettext("The seller is no longer listed."))
    tokens = sorted(IdentifierToken.objects.filter(subject=subject).values_list("pk", flat=True))
    if _overlapping(subject, tokens, ask, court=actor.organisation.kind == OrganisationKind.COURT):
        message = gettext(
            "A request for this seller already covers part of this period; periods may not overlap."
        )
        raise DomainError(message, fields={"period_start": [message]})
    now = timezone.now()
    request = SalesTotalsRequest.objects.create(
        requester=actor.organisation,
        requested_by=actor.member,
        subject=subject,
        subject_ref=subject.public_id,
        tokens=tokens,
        case_reference=ask.case_reference.strip(),
        period_start=ask.period_start,
        period_end=ask.period_end,
        currency=ask.currency,
        public_key_n=str(paillier.modulus_parse(ask.n)),
        k=ask.k or settings.HUB_SALES_TOTALS_MIN_CONTRIBUTORS,
        deadline=now + timedelta(days=settings.HUB_SALES_TOTALS_WINDOW_DAYS),
        created_at=now,
    )
    members = sorted(
        set(
            SubjectMatch.objects.filter(
                subject=subject, organisation__kind__in=CONTRIBUTING_KINDS
            ).values_list("organisation_id", flat=True)
        )
    )
    tasks = SalesTotalsTask.objects.bulk_create(
        [SalesTotalsTask(request=request, organisation_id=organisation_id) for organisation_id in members]
    )
    for task in tasks:  # each member's webhook endpoints hear of its task (ids and dates only)
        organisation_event_write(
            organisation_id=task.organisation_id,
            event=TASK_CREATED_EVENT,
            data={
                "task": str(task.public_id),
                "request": str(request.public_id),
                "period_start": request.period_start.isoformat(),
                "period_end": request.period_end.isoformat(),
                "currency": request.currency,
                "deadline": request.deadline.isoformat(),
            },
        )
    _audit(
        actor,
        AuditTag.SALES_TOTALS_REQUESTED,
        request,
        DataClass.ADMINISTRATIVE,
        {
            "subject": str(subject.public_id),
            "period": [ask.period_start.isoformat(), ask.period_end.isoformat()],
            "currency": request.currency,
            "k": request.k,
            "key_bits": int(request.public_key_n).bit_length(),
            "tasks": len(members),
        },
    )
    return request


# --- a member's answer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """Three decimal ciphertexts by figure (paillier.FIGURES) and the accounts they cover."""

    ciphertexts: dict[str, str]
    accounts: int


def submission_problems(submission: Submission, n: int) -> dict[str, list[str]]:
    """Per-field messages for ciphertexts not well formed for the key, or a bad account count."""
    problems: dict[str, list[str]] = {}
    for name in paillier.FIGURES:
        text = submission.ciphertexts.get(name)
        if text is None:
            problems[name] = [gettext("Give this figure's ciphertext.")]
            continue
        try:
            paillier.ciphertext_parse(text, n)
        except paillier.PaillierInputError:
            problems[name] = [
                gettext(
                    "Not a ciphertext under the requester's key: encrypt it with hubctl sales-totals submit."
                )
            ]
    if not 1 <= submission.accounts <= MAX_ACCOUNTS:
        problems["accounts"] = [
            gettext("Give how many accounts the figures cover (1 to %(most)d).") % {"most": MAX_ACCOUNTS}
        ]
    return problems


def sales_totals_submit(*, task: SalesTotalsTask, submission: Submission, actor: Actor) -> SalesTotalsTask:
    """Store a member's ciphertexts until the request closes; each is checked against the key first."""
    require(actor, Capability.SALES_TOTALS_CONTRIBUTE, denied_tag=AuditTag.SALES_TOTALS_SUBMITTED)
    problems = submission_problems(submission, int(task.request.public_key_n))
    if problems:
        raise DomainError(gettext("The submission cannot be accepted as it stands."), fields=problems)
    return _answer(
        task=task,
        actor=actor,
        tag=AuditTag.SALES_TOTALS_SUBMITTED,
        status=SalesTotalsTaskStatus.SUBMITTED,
        ciphertexts={name: str(int(submission.ciphertexts[name])) for name in paillier.FIGURES},
        accounts=submission.accounts,
    )


def sales_totals_decline(*, task: SalesTotalsTask, reason: str, actor: Actor) -> SalesTotalsTask:
    """A member declines its task with a reason (kept with the task, never shown to the requester)."""
    require(actor, Capability.SALES_TOTALS_CONTRIBUTE, denied_tag=AuditTag.SALES_TOTALS_DECLINED)
    if not reason.strip():
        raise DomainError(gettext("Give a reason."), fields={"reason": [gettext("A reason is required.")]})
    return _answer(
        task=task,
        actor=actor,
        tag=AuditTag.SALES_TOTALS_DECLINED,
        status=SalesTotalsTaskStatus.DECLINED,
        decline_reason=reason.strip(),
    )


@transaction.atomic
def _answer(*, task: SalesTotalsTask, actor: Actor, tag: AuditTag, status: str, **fields) -> SalesTotalsTask:
    request = locks.lock_sales_totals_request(task.request_id)
    task = locks.lock_sales_totals_task(task.pk)
    if request.status != SalesTotalsStatus.OPEN or request.deadline <= timezone.now():
        raise ConflictError(gettext("The request's deadline has passed; it no longer takes answers."))
    if task.status != SalesTotalsTaskStatus.PENDING:
        raise ConflictError(gettext("Your organisation has already answered this request."))
    task.status, task.responded_by, task.responded_at = status, actor.member, timezone.now()
    for name, value in fields.items():
        setattr(task, name, value)
    task.save()
    submitted = status == SalesTotalsTaskStatus.SUBMITTED
    # The figures are ciphertexts the hub cannot read; the row still names what the member gave.
    _audit(
        actor,
        tag,
        task,
        DataClass.RESTRICTED if submitted else DataClass.ADMINISTRATIVE,
        {"request": str(request.public_id), "accounts": task.accounts, "reason_given": not submitted},
        legal_basis=request.legal_basis_tag,
    )
    return task


# --- the deadline: release or refuse ---------------------------------------------------------------


def sales_totals_close_due(*, now: datetime | None = None) -> int:
    """Close every open request past its deadline (the periodic task); returns how many were closed."""
    now = now or timezone.now()
    due = SalesTotalsRequest.objects.filter(status=SalesTotalsStatus.OPEN, deadline__lte=now).order_by("pk")
    return sum(1 for request_id in due.values_list("pk", flat=True) if _close(request_id, now))


@transaction.atomic
def _close(request_id: int, now: datetime) -> bool:
    request = locks.lock_sales_totals_request(request_id)
    if request.status != SalesTotalsStatus.OPEN or request.deadline > now:
        return False  # a concurrent run closed it
    tasks = locks.lock_sales_totals_tasks(request.pk)
    submitted = [task for task in tasks if task.status == SalesTotalsTaskStatus.SUBMITTED]
    request.closed_at = now
    if len(submitted) >= request.k:
        _release(request, submitted, now)
    else:
        request.status = SalesTotalsStatus.REFUSED
        request.refusal_reason = REFUSED_FEWER_THAN_K
        request.save()
        _audit(
            None,
            AuditTag.SALES_TOTALS_REFUSED,
            request,
            DataClass.ADMINISTRATIVE,
            {"k": request.k, "reason": "fewer_than_k"},
            legal_basis=request.legal_basis_tag,
        )
    # No member's ciphertexts outlive the request's close, released or refused.
    SalesTotalsTask.objects.filter(request=request).update(ciphertexts=None)
    return True


def _release(request: SalesTotalsRequest, submitted: list[SalesTotalsTask], now: datetime) -> None:
    n = int(request.public_key_n)
    aggregate = paillier.ciphertexts_sum(
        n, [{name: int((task.ciphertexts or {})[name]) for name in paillier.FIGURES} for task in submitted]
    )
    contributors = [
        {
            "organisation": str(task.organisation.public_id),
            "name": task.organisation.name,
            "accounts": task.accounts,
        }
        for task in submitted
    ]
    request.statement, request.statement_signature = statement_signed(
        request=request, aggregate=aggregate, contributors=contributors, released_at=now
    )
    request.aggregate = aggregate
    request.status = SalesTotalsStatus.RELEASED
    request.save()
    _audit(
        None,
        AuditTag.SALES_TOTALS_RELEASED,
        request,
        DataClass.RESTRICTED,
        {
            "contributors": sorted(str(task.organisation.public_id) for task in submitted),
            "k": request.k,
            "aggregate_sha256": paillier.aggregate_sha256(aggregate),
        },
        legal_basis=request.legal_basis_tag,
    )


def _audit(
    actor: Actor | None,
    tag: AuditTag,
    target,
    data_class: DataClass,
    details: dict,
    *,
    legal_basis: str | None = None,
) -> None:
    audit_record(
        actor=actor,
        tag=tag,
        target=target,
        data_class=data_class,
        legal_basis=legal_basis or target.legal_basis_tag,
        details=details,
    )
