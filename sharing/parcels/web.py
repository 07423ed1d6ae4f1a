"""The couriers' page for parcel events: a form to record one (no JavaScript needed) and the
organisation's own events. The same serializer and services as /api/v1/parcel-events."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.zones import organisation_zone, typed_in_zone
from hub.errors import DomainError
from sharing.checks.services.match_gate import match_revealing
from sharing.checks.services.words import CATEGORIES, type_label
from sharing.models import Category, ParcelEventKind
from sharing.parcels.inputs import ParcelEventInput, parcel_given
from sharing.parcels.services import (
    parcel_event_record,
    parcel_events_described,
    parcel_events_of,
    parcel_events_page_audit,
)

PAGE_SIZE = 200  # the newest events shown; the API pages through all of them

# The form's identifier fields: the sender's and the parcel's, one text field each (the API takes any type).
FORM_IDENTIFIERS = ("courier_sender_account", "phone", "observed_national_id", "observed_phone", "waybill")


@match_revealing("post")
@never_cache
@capability_required(Capability.PARCEL_RECORD)
def parcel_events_page(request: ActorRequest) -> HttpResponse:
    """The organisation's parcel events; a POST records one and comes back here."""
    if request.method != "POST":
        return _render(request)
    posted = {name: request.POST.get(name, "").strip() for name in _FIELDS}
    body: dict = {
        "kind": posted["kind"],
        # A datetime-local value has no zone: it is the organisation's own time (accounts/zones.py).
        "occurred_at": typed_in_zone(posted["occurred_at"], organisation_zone(request.actor.organisation)),
        "origin_region": posted["origin_region"],
        "category": posted["category"],
        "identifiers": [{"type": kind, "value": posted[kind]} for kind in FORM_IDENTIFIERS if posted[kind]],
    }
    if posted["report_id"]:
        body["report_id"] = posted["report_id"]
    if posted["check_id"]:
        body["check_id"] = posted["check_id"]
    data, errors = api_input(ParcelEventInput, body)
    if data is None:
        return _render(request, errors=errors, posted=_shown(posted), status=400)
    try:
        parcel_event_record(actor=request.actor, given=parcel_given(data))
    except DomainError as exc:
        return _render(request, errors=domain_errors(exc), posted=_shown(posted), status=exc.status_code)
    messages.success(request, gettext("The parcel event was recorded. Other members see only counts."))
    return redirect("parcel-events-page")


def _shown(posted: dict) -> dict:
    """What the form shows again after an error: never an identifier's value (raw personal data)."""
    return {name: value for name, value in posted.items() if name not in FORM_IDENTIFIERS}


_FIELDS = ("kind", "occurred_at", "origin_region", "category", "report_id", "check_id", *FORM_IDENTIFIERS)


def _render(request, *, errors=None, posted=None, status: int = 200) -> HttpResponse:
    events = parcel_events_described(list(parcel_events_of(actor=request.actor)[:PAGE_SIZE]))
    parcel_events_page_audit(actor=request.actor, page=events)
    kinds = dict(ParcelEventKind.choices)
    rows = [
        {
            "id": event.public_id,
            "kind": event.kind,
            "kind_label": kinds.get(event.kind, event.kind),
            "occurred_at": event.occurred_at,
            "origin_region": event.origin_region,
            "category": CATEGORIES.get(event.category, event.category),
            "types": [type_label(t) for t in event.identifier_types],  # type: ignore[attr-defined]
            "report_id": event.report.public_id if event.report else None,
            "check_id": event.hit_reference,
        }
        for event in events
    ]
    context = {
        "rows": rows,
        "errors": errors or {},
        "posted": posted or {},
        "kinds": ParcelEventKind.choices,
        "categories": Category.choices,
        "identifier_fields": [(kind, type_label(kind)) for kind in FORM_IDENTIFIERS],
        "zone": organisation_zone(request.actor.organisation),
    }
    return render(request, "sharing/parcel_events.html", context, status=status)
