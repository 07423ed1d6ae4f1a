"""The operator admins' canary page: plant canary identifiers (as CanaryPlantApi does) and list the
planted ones by type and label, never by value (the hub keeps only their sealed tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from sharing.checks import selectors
from sharing.checks.serializers import CanaryPlantInput
from sharing.checks.services import canaries
from sharing.reports.web import identifier_rows as id_rows
from sharing.subjects.inputs import raw_identifiers


@capability_required(Capability.CANARY_PLANT)
def canaries_page(request: ActorRequest) -> HttpResponse:
    """GET lists the planted canaries; POST plants one identifier (its value goes in the body, never the URL)."""
    if request.method != "POST":
        return _page(request)
    rows = id_rows.rows_posted(request.POST, count=1)
    body = {"identifiers": id_rows.identifiers_body(rows), "label": request.POST.get("label", "")}
    data, errors = api_input(CanaryPlantInput, body)
    if data is None:
        return _page(request, rows=rows, errors=errors, status=400)
    try:
        canaries.canaries_plant(
            identifiers=raw_identifiers(data["identifiers"]), label=data["label"], actor=request.actor
        )
    except DomainError as exc:
        return _page(request, rows=rows, errors=domain_errors(exc), status=exc.status_code)
    messages.success(request, gettext("The canary is planted: checks that hit it now raise an alert."))
    return redirect("reviewer-canaries")


def _page(
    request: ActorRequest,
    *,
    rows: list[id_rows.IdentifierRow] | None = None,
    errors: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = rows or id_rows.rows_blank(1)
    errors = id_rows.errors_to_rows(rows, errors or {})
    planted = page_audited(
        request,
        selectors.canaries_planted(actor=request.actor),
        audit=lambda page: selectors.canaries_page_audit(actor=request.actor, page=page),
    )
    return render(
        request,
        "review/canaries.html",
        {
            "canaries": planted,
            # A canary's value is never shown again, not even to the admin who typed it.
            **id_rows.rows_context(
                id_rows.rows_unechoed(rows), own_country=request.actor.organisation.country
            ),
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )
