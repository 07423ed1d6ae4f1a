"""Parcel events: a logistics member records what became of a parcel, and counts of them leave the hub.

A member of a logistics organisation records a parcel event (seized, refused, returned, customs hold)
with the parcel's sender identifiers and waybill, its origin region and the category of goods, as
evidence toward one of its own reports or as feedback on a hit its own screening matched (the check's
id, as feedback names a hit). The identifiers are tokenised on arrival with the service reports and
checks use; only the tokens are stored. Naming another organisation's report or a hit the
organisation never had is the same audited 404 as naming none.

The events of a subject are counted per kind, never listed, by the check answer itself
(sharing/checks/services/parcels.py, below this package). Only the recording organisation lists its
own events (`parcel_events_of`).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import pycountry
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.quotas import Limit, QuotaExceeded, quota_consume
from accounts.roles import Capability, OrganisationKind
from accounts.scoped import not_visible
from hub.errors import ConflictError, DomainError, ForbiddenError, TooManyRequestsError
from hubcore.identifiers import IdentifierInvalid
from hubcore.identifiers.composites import normalise_country
from hubcore.identifiers.types import LINKING_TYPES, IdentifierType
from sharing.checks.services.match_gate import lookup_counts, lookup_gate
from sharing.models import ParcelEvent, Report, SubjectMatch
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    identifiers_tokenise,
    stored_token_get_or_create,
    stored_tokens_of,
)

OWN_REPORT = gettext_noop("report")
MATCHED_SELLER = gettext_noop("matched seller")

_REGION = re.compile(r"([A-Z]{2})(?:-([A-Z0-9]{1,3}))?")


def origin_region_normalise(text: str) -> str:
    """An ISO 3166-1 alpha-2 country ("CN") or ISO 3166-2 subdivision ("CN-GD"), upper case; or
    IdentifierInvalid. A subdivision is checked against the country's ISO 3166-2 list (pycountry)."""
    match = _REGION.fullmatch(text.strip().upper())
    if match is None:
        raise IdentifierInvalid(
            gettext_noop(
                "Give the origin as a country (ISO 3166-1, e.g. CN) or a region (ISO 3166-2, e.g. CN-GD)."
            )
        )
    country, subdivision = match.groups()
    normalise_country(country)
    # Every subdivision pycountry lists (ISO 3166-2); a country it lists none of has none to name.
    if subdivision and pycountry.subdivisions.get(code=f"{country}-{subdivision}") is None:
        raise IdentifierInvalid(gettext_noop("No such region of that country (ISO 3166-2)."))
    return match.group(0)


@dataclass(frozen=True)
class ParcelEventGiven:
    """What a logistics member says about a parcel; at most one of report_id and check_id."""

    kind: str
    occurred_at: datetime
    origin_region: str
    category: str
    identifiers: list[RawIdentifier | SuppliedToken]
    report_id: uuid.UUID | None = None
    check_id: uuid.UUID | None = None


def parcel_event_record(*, actor: Actor, given: ParcelEventGiven) -> ParcelEvent:
    """Record a parcel event of the actor's logistics organisation: its report or hit looked up in the
    organisation's own (an audited 404 otherwise), its identifiers tokenised, the raw values dropped."""
    require(actor, Capability.PARCEL_RECORD, message=gettext("Your role does not grant parcel:record."))
    if actor.organisation.kind != OrganisationKind.LOGISTICS:  # the role matrix says so too
        raise ForbiddenError(gettext("Only logistics firms record parcel events."))
    report = None
    if given.report_id is not None:
        report = Report.objects.filter(
            public_id=given.report_id, reporter_organisation=actor.organisation
        ).first()
        if report is None:
            not_visible(
                actor=actor,
                tag=AuditTag.PARCEL_EVENT_RECORDED,
                target_type="report",
                public_id=given.report_id,
                noun=OWN_REPORT,
            )
    if given.check_id is not None:
        matched = SubjectMatch.objects.filter(organisation=actor.organisation, reference=str(given.check_id))
        if not matched.exists():
            not_visible(
                actor=actor,
                tag=AuditTag.PARCEL_EVENT_RECORDED,
                target_type="subject",
                public_id=given.check_id,
                noun=MATCHED_SELLER,
            )
    tokenised = identifiers_tokenise(
        identifiers=given.identifiers, default_country=actor.organisation.country
    )
    if not any(item.type in LINKING_TYPES for item in tokenised):
        # A waybill or an address alone never reaches a seller: the event could never be counted.
        raise DomainError(
            gettext("Some identifiers are invalid."),
            fields={
                "identifiers": [
                    gettext(
                        "Give at least one sender identifier that is strong or medium "
                        "(a courier sender account, a phone number, an ID number); a waybill or an address alone never matches."
                    )
                ]
            },
        )
    if given.check_id is not None:
        _hit_named_or_refuse(actor=actor, given=given, tokenised=tokenised, matched=matched)
    return _parcel_event_store(actor=actor, given=given, report=report, tokenised=tokenised)


def _hit_named_or_refuse(*, actor: Actor, given: ParcelEventGiven, tokenised, matched) -> None:
    """Feedback on a hit is about the seller the hit matched: one of its identifiers must be named.

    Whether these identifiers belong to that seller is a match-revealing answer, so it passes the gate
    every such answer passes (the check quota per type, the sweep rules), before the store's
    transaction, and a refusal is audited: a courier cannot probe which identifiers belong to a seller
    it matched for free.
    """
    subjects = set(matched.values_list("subject_id", flat=True))
    names_it = any(row.subject_id in subjects for row in stored_tokens_of(tokenised))
    lookup_gate(actor=actor, tokenised=tokenised, matched=names_it, tag=AuditTag.PARCEL_EVENT_RECORDED)
    if not names_it:
        # Answered, as a dispute that matches nothing is: a miss on the record, before the 400.
        audit_record(
            actor=actor,
            tag=AuditTag.PARCEL_EVENT_HIT_NOT_NAMED,
            data_class=DataClass.SHAREABLE,
            target_type="check",
            target_id=str(given.check_id),
            details={
                "identifier_types": sorted({item.type for item in tokenised}),
                **lookup_counts(hits=0, looked_up=1),
            },
        )
        message = gettext(
            "Name at least one identifier of the seller that check matched (feedback is on that hit)."
        )
        raise DomainError(message, fields={"check_id": [message]})


@transaction.atomic
def _parcel_event_store(
    *,
    actor: Actor,
    given: ParcelEventGiven,
    report: Report | None,
    tokenised,
) -> ParcelEvent:
    _parcel_events_quota_consume(actor)
    tokens = [stored_token_get_or_create(item) for item in tokenised]
    # The quota row just taken is locked until this transaction ends, so two requests of one
    # organisation cannot both pass this test for the same parcel.
    waybills = [token for item, token in zip(tokenised, tokens) if item.type == IdentifierType.WAYBILL]
    if (
        waybills
        and ParcelEvent.objects.filter(
            organisation=actor.organisation, kind=given.kind, tokens__in=waybills
        ).exists()
    ):
        message = gettext(
            "Your organisation has already recorded this kind of event for this waybill: a parcel counts once."
        )
        raise ConflictError(message, fields={"identifiers": [message]})
    event = ParcelEvent.objects.create(
        organisation=actor.organisation,
        member=actor.member,
        kind=given.kind,
        occurred_at=given.occurred_at,
        origin_region=given.origin_region,
        category=given.category,
        report=report,
        hit_reference=str(given.check_id) if given.check_id else "",
    )
    event.tokens.set(tokens)
    audit_record(
        actor=actor,
        tag=AuditTag.PARCEL_EVENT_RECORDED,
        target=event,
        data_class=DataClass.SHAREABLE,
        details={
            "kind": event.kind,
            "identifier_types": sorted({item.type for item in tokenised}),
            "origin_region": event.origin_region,
            "category": event.category,
            "report": str(report.public_id) if report else None,
            "check_id": event.hit_reference or None,
        },
    )
    event.identifier_types = sorted({item.type for item in tokenised})  # type: ignore[attr-defined]
    return event


class ParcelEventsExceeded(TooManyRequestsError):
    """The organisation has recorded its parcel events for the day."""


def _parcel_events_quota_consume(actor: Actor) -> None:
    """Take one from the organisation's daily parcel events (given back if the transaction fails)."""
    limit = Limit(bucket="parcel_event", window="day", limit=settings.HUB_PARCEL_EVENTS_PER_DAY)
    try:
        quota_consume(organisation=actor.organisation, demands={limit: 1})
    except QuotaExceeded as exc:
        message = gettext(
            "Your organisation has recorded its %(limit)s parcel events for today: record the rest tomorrow."
        ) % {"limit": settings.HUB_PARCEL_EVENTS_PER_DAY}
        refused = ParcelEventsExceeded(message)
        refused.retry_after = exc.retry_after
        raise refused from None


def parcel_events_of(*, actor: Actor) -> QuerySet[ParcelEvent]:
    """The actor's organisation's own parcel events, newest first: no one else's are ever listed."""
    require(actor, Capability.PARCEL_RECORD, message=gettext("Your role does not grant parcel:record."))
    return (
        ParcelEvent.objects.filter(organisation=actor.organisation)
        .select_related("report")
        .order_by("-recorded_at", "-pk")
    )


def parcel_events_described(page: list[ParcelEvent]) -> list[ParcelEvent]:
    """Set `identifier_types` on each of a page's events (the types only, never a value), in one query."""
    types: dict[int, set[str]] = defaultdict(set)
    through = ParcelEvent.tokens.through.objects.filter(parcelevent_id__in=[event.pk for event in page])
    for event_id, kind in through.values_list("parcelevent_id", "identifiertoken__identifier_type"):
        types[event_id].add(kind)
    for event in page:
        event.identifier_types = sorted(types[event.pk])  # type: ignore[attr-defined]
    return page


def parcel_events_page_audit(*, actor: Actor, page: list[ParcelEvent]) -> None:
    """Audit a page of the organisation's parcel events shown to the actor (ids only)."""
    audit_record(
        actor=actor,
        tag=AuditTag.PARCEL_EVENTS_LISTED,
        data_class=DataClass.SHAREABLE,
        target_type="parcel_event",
        details={"count": len(page), "ids": [str(event.public_id) for event in page]},
    )
