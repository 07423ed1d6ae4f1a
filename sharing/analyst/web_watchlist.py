"""The watchlist on the web: the organisation's entries, add a seller (from a check's answer or
typed here), stop watching one; the services of WatchlistApi and WatchEntryApi."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.purpose_field import purpose_options
from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from sharing.analyst.refusals import with_retry_after
from sharing.checks.services.match_gate import match_revealing
from sharing.checks.services.words import level_label, type_label
from sharing.reports.web import identifier_rows as id_rows
from sharing.subjects.inputs import raw_identifiers
from sharing.watchlists.serializers import WatchAddInput
from sharing.watchlists.services import watchlists

PAGE_SIZE = 50
ROWS = 4  # identifier rows the form starts with


@match_revealing("post")
@capability_required(Capability.WATCHLIST_MANAGE)
def watchlist_page(request: ActorRequest) -> HttpResponse:
    """The entries, and the add form; a POST watches one seller by its identifiers and a reference."""
    if request.method != "POST":
        return _render(request, rows=id_rows.rows_blank(ROWS), ref="", purpose="")
    rows, ref = id_rows.rows_posted(request.POST, count=ROWS), request.POST.get("ref", "")
    purpose = request.POST.get("purpose", "")
    body = {"identifiers": id_rows.identifiers_body(rows), "ref": ref, "purpose": purpose}
    data, errors = api_input(WatchAddInput, body, context={"organisation": request.actor.organisation})
    if data is None:
        errors = id_rows.errors_to_rows(rows, errors)
        return _render(request, rows=rows, ref=ref, purpose=purpose, errors=errors, status=400)
    try:
        entries = watchlists.watchlist_add(
            identifiers=raw_identifiers(data["identifiers"]),
            ref=data["ref"],
            purpose=data["purpose"],
            actor=request.actor,
        )
    except DomainError as exc:
        errors = id_rows.errors_to_rows(rows, domain_errors(exc))
        return with_retry_after(
            _render(request, rows=rows, ref=ref, purpose=purpose, errors=errors, status=exc.status_code), exc
        )
    messages.success(
        request,
        ngettext(
            "The seller is watched by %(count)d identifier.",
            "The seller is watched by %(count)d identifiers.",
            len(entries),
        )
        % {"count": len(entries)},
    )
    return redirect("watchlist-page")


def _render(request, *, rows, ref: str, purpose: str, errors=None, status: int = 200) -> HttpResponse:
    entries = page_audited(
        request,
        watchlists.watch_entries_of(actor=request.actor),
        audit=lambda page: watchlists.watch_entries_page_audit(actor=request.actor, page=page),
        page_size=PAGE_SIZE,
    )
    return render(
        request,
        "analyst/watchlist.html",
        {
            "entries": entries,
            "listed": [(entry, type_label(entry.identifier_type), _level_shown(entry)) for entry in entries],
            "ref": ref,
            "purpose": purpose,
            "purpose_options": purpose_options(request.actor.organisation),
            **id_rows.rows_context(rows, own_country=request.actor.organisation.country),
            "errors": errors or {},
        },
        status=status,
    )


def _level_shown(entry) -> str:
    """An entry's level reveals a match: shown only under a purpose the organisation may still state."""
    if not watchlists.watch_entry_purpose_allowed(entry):
        return gettext("needs a purpose: watch it again stating one")
    return level_label(entry.last_level)


@capability_required(Capability.WATCHLIST_MANAGE)
@require_POST
def watch_entry_remove(request: ActorRequest, entry_id) -> HttpResponse:
    """Stop watching one entry of the organisation; another's is not there (404, audited)."""
    watchlists.watch_entry_remove(public_id=entry_id, actor=request.actor)
    messages.success(request, gettext("The entry is no longer watched."))
    return redirect("watchlist-page")
