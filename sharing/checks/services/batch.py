"""Check a batch of sellers in one request, for platforms that check in bursts.

Each seller is a check in every respect a member or an operator can see: its own check id, its own
audit row (CHECK_RUN, the single check's details), its own subject matches and transfer record, the
quota taken per identifier as for a single check, and the sweep and canary rules fed as that many
single checks in a row would feed them (match_gate.lookup_gate_checks). A batch is no cheaper way to
sweep or probe than single checks; it is only cheaper to serve: one token lookup and one evidence
read for all sellers, each seller's answer assembled by `check_result_from` without queries, and the
sellers' audit rows and subject matches written in one statement each (audit_record_many).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record_many
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.purposes import purpose_require
from accounts.quotas import Limit
from accounts.roles import Capability
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_gate, transfer_record
from hub.errors import DomainError
from hub.replica_reads import replica_read, request_reads_only
from sharing.checks.services.checks import (
    CheckResult,
    check_audit_details,
    check_result_from,
    evidence_keys,
    matched_evidence,
    matched_tokens,
    with_parcel_action,
)
from sharing.checks.services.match_gate import lookup_gate_checks
from sharing.checks.services.matches import matched_by_subject, subject_matches_record_many
from sharing.checks.services.policies import policy_of
from sharing.checks.services.quotas import check_quota_demands_per_type, quota_covers_or_refuse
from sharing.models import IdentifierToken, MatchSource
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    TokenisedIdentifier,
    identifiers_tokenise,
    stored_tokens_of,
)


@dataclass(frozen=True)
class BatchSeller:
    """One seller of a batch: its identifiers, and the member's own reference for it (never stored)."""

    identifiers: list[RawIdentifier | SuppliedToken]
    reference: str | None = None


@dataclass(frozen=True)
class BatchCheck:
    """One seller's answer: the single check's, with the member's reference beside it."""

    reference: str | None
    result: CheckResult


def checks_batch_run(*, sellers: list[BatchSeller], purpose: str, actor: Actor) -> list[BatchCheck]:
    """Check every seller as `check_run` checks one, in one transaction; answers in the sellers' order."""
    require(actor, Capability.CHECK_RUN, message=gettext("Your role does not grant check:run."))
    transfer_gate(organisation=actor.organisation, channel=TransferChannel.CHECK, actor=actor)
    purpose = purpose_require(organisation=actor.organisation, purpose=purpose)
    # Tokenising is the batch's costly part (an OPRF evaluation per raw identifier): a member whose
    # quota cannot cover the batch is refused before it, the quota only read here. Identifiers are
    # counted as given (exact repeats once), so two spellings of one number count twice here though
    # the gate below takes them once.
    quota_covers_or_refuse(actor=actor, demands=_demands_as_given(sellers), tag=AuditTag.CHECK_RUN)
    tokenised = _sellers_tokenise(sellers, default_country=actor.organisation.country)
    request_reads_only()  # its writes are bookkeeping (audit, quota, matches): no read-your-writes
    now = timezone.now()

    def answers() -> tuple[list[list[IdentifierToken]], list[CheckResult]]:
        found = _found_per_seller(
            tokenised, stored_tokens_of(item for seller in tokenised for item in seller)
        )
        tokens = [
            matched_tokens((row.pk, row.identifier_type, row.subject_id) for row in rows) for rows in found
        ]
        subject_ids, weak_token_ids = evidence_keys(token for seller in tokens for token in seller)
        evidence = matched_evidence(subject_ids, weak_token_ids, now=now)
        # Read once, and only when some seller's reports matched (check_result_from calls it then).
        policy = functools.cache(lambda: policy_of(actor.organisation.pk))
        results = [
            with_parcel_action(
                check_result_from(seller, evidence, policy=policy, now=now),
                organisation_kind=actor.organisation.kind,
            )
            for seller in tokens
        ]
        return found, results

    # As in check_run: the lookup and its evidence may read the replica (hub/replica_reads.py); the
    # gate, the matches and the audit below stay on the primary.
    found, results = replica_read(actor.organisation.pk, answers)
    hits = [result.level != "none" for result in results]
    # As in check_run: the gate's locked rows are taken after the answers are built, and a refused
    # quota refuses the whole batch (its refusal audit commits, nothing else does).
    lookup_gate_checks(actor=actor, tokenised=tokenised, matched=hits, tag=AuditTag.CHECK_RUN, now=now)
    _checks_record(actor, tokenised, found, results, hits=hits, purpose=purpose, now=now)
    return [BatchCheck(seller.reference, result) for seller, result in zip(sellers, results, strict=True)]


def _demands_as_given(sellers: list[BatchSeller]) -> dict[Limit, int]:
    """The check quota the sellers' identifiers would take, counted before any is normalised."""
    per_type: Counter[str] = Counter()
    for seller in sellers:
        per_type.update(item.type for item in set(map(_as_given, seller.identifiers)))
    return check_quota_demands_per_type(per_type)


def _as_given(item: RawIdentifier | SuppliedToken) -> RawIdentifier | SuppliedToken:
    # A composite value is a dict, which a set cannot hold: its sorted items stand for it.
    if isinstance(item, RawIdentifier) and isinstance(item.value, dict):
        return RawIdentifier(item.type, str(sorted(item.value.items())), item.country)
    return item


def _sellers_tokenise(sellers: list[BatchSeller], *, default_country: str) -> list[list[TokenisedIdentifier]]:
    """Each seller's identifiers tokenised and deduplicated on their own (as a single check does), or one
    refusal naming every bad identifier by its seller's index and its own."""
    tokenised: list[list[TokenisedIdentifier]] = []
    errors: dict[str, dict] = {}
    for index, seller in enumerate(sellers):
        try:
            tokenised.append(
                identifiers_tokenise(identifiers=seller.identifiers, default_country=default_country)
            )
        except DomainError as exc:
            errors[str(index)] = exc.fields or {}
    if errors:
        raise DomainError(gettext("Some identifiers are invalid."), fields={"sellers": errors})
    return tokenised


def _found_per_seller(
    tokenised: list[list[TokenisedIdentifier]], found: list[IdentifierToken]
) -> list[list[IdentifierToken]]:
    """Each seller's share of the stored rows, each under the type that seller asked it as
    (what stored_tokens_of would return for that seller alone)."""
    by_key: dict[tuple[str, str], list[IdentifierToken]] = {}
    for row in found:
        by_key.setdefault((row.bare_token, row.identifier_type), []).append(row)
    return [
        [row for item in seller for row in by_key.get((item.token, item.type), [])] for seller in tokenised
    ]


def _checks_record(
    actor: Actor,
    tokenised: list[list[TokenisedIdentifier]],
    found: list[list[IdentifierToken]],
    results: list[CheckResult],
    *,
    hits: list[bool],
    purpose: str,
    now: datetime,
) -> None:
    """What check_run writes for each check, each seller under its own check id: subject matches (a hit),
    the transfer record, the audit row with the single check's details. Matches and audit rows are
    written in one statement each for the whole batch."""
    in_subjects = [[row for row in rows if row.subject_id] for rows in found]
    subject_matches_record_many(
        organisation_id=actor.organisation.pk,
        matched={
            result.check_id: matched_by_subject((row.subject_id, row.pk) for row in rows)
            for rows, result, hit in zip(in_subjects, results, hits, strict=True)
            if hit
        },
        source=MatchSource.CHECK,
        purpose=purpose,
        now=now,
    )
    for result in results:
        transfer_record(
            organisation=actor.organisation,
            channel=TransferChannel.CHECK,
            target_type="check",
            target_id=result.check_id,
            member=actor.member,
        )
    audit_record_many(
        actor=actor,
        tag=AuditTag.CHECK_RUN,
        data_class=DataClass.SHAREABLE,
        targets=[
            (
                "check",
                result.check_id,
                check_audit_details(
                    tokenised=seller,
                    result=result,
                    purpose=purpose,
                    subjects={str(row.subject.public_id) for row in rows if row.subject is not None},
                ),
            )
            for seller, rows, result in zip(tokenised, in_subjects, results, strict=True)
        ],
    )
