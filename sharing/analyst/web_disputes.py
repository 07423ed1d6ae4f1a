"""Disputes filed for sellers: the organisation's disputes with their state and clock, one
dispute's page, and filing one (DisputesApi POST's service: gated, audited, 404 when not listed)."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from sharing.analyst.refusals import with_retry_after
from sharing.checks.services.match_gate import match_revealing
from sharing.checks.services.words import dispute_state_label
from sharing.due_process.serializers import DisputeFileInput
from sharing.due_process.services import disputes
from sharing.due_process.services.clock import coverage_clocks
from sharing.reports.services.calendar import working_days_between
from sharing.reports.services.reports import EvidenceFile
from sharing.reports.web import identifier_rows as id_rows
from sharing.subjects.inputs import raw_identifiers

PAGE_SIZE = 50
ROWS = 4  # identifier rows the form starts with


@match_revealing("post")
@capability_required(Capability.DISPUTE_FILE)
def disputes_filed(request: ActorRequest) -> HttpResponse:
    """The disputes the organisation filed, and the form; a POST files one for a listed seller."""
    if request.method != "POST":
        return _render(request, rows=id_rows.rows_blank(ROWS), grounds="")
    rows, grounds = id_rows.rows_posted(request.POST, count=ROWS), request.POST.get("grounds", "")
    body = {
        "identifiers": id_rows.identifiers_body(rows),
        "grounds": grounds,
        "evidence": _evidence_posted(request),
    }
    data, errors = api_input(DisputeFileInput, body)
    if data is None:
        errors = id_rows.errors_to_rows(rows, errors)
        return _render(request, rows=rows, grounds=grounds, errors=errors, status=400)
    try:
        filed = disputes.dispute_file(
            identifiers=raw_identifiers(data["identifiers"]),
            grounds=data["grounds"],
            evidence=[
                EvidenceFile(e["name"], e["content_type"], e["content_base64"]) for e in data["evidence"]
            ],
            actor=request.actor,
        )
    except DomainError as exc:
        errors = id_rows.errors_to_rows(rows, domain_errors(exc))
        return with_retry_after(
            _render(request, rows=rows, grounds=grounds, errors=errors, status=exc.status_code), exc
        )
    messages.success(request, gettext("The dispute is filed; the reporters' clock runs from today."))
    return redirect("dispute-filed-page", dispute_id=filed.public_id)


def _evidence_posted(request) -> list[dict]:
    """The optional evidence file in the shape the API takes; one byte past the limit is enough to refuse it."""
    upload = request.FILES.get("evidence")
    if upload is None:
        return []
    content = upload.read(settings.HUB_MAX_EVIDENCE_BYTES + 1)
    return [
        {
            "name": upload.name,
            "content_type": upload.content_type or "application/octet-stream",
            "content_base64": base64.b64encode(content).decode(),
        }
    ]


def _render(request, *, rows, grounds: str, errors=None, status: int = 200) -> HttpResponse:
    found = page_audited(
        request,
        disputes.disputes_filed_by_own(actor=request.actor),
        audit=lambda page: disputes.disputes_page_audit(actor=request.actor, page=page),
        page_size=PAGE_SIZE,
    )
    today = timezone.localdate()
    return render(
        request,
        "analyst/disputes.html",
        {
            "disputes": found,
            "listed": [(d, dispute_state_label(d.status), _days_left(d, today)) for d in found],
            "grounds": grounds,
            **id_rows.rows_context(rows, own_country=request.actor.organisation.country),
            "errors": errors or {},
        },
        status=status,
    )


def _days_left(dispute, today) -> int | None:
    """Working days left on the reporters' clock while it runs; None once answered or decided."""
    return working_days_between(today, dispute.response_due) if dispute.status == "open" else None


@capability_required(Capability.DISPUTE_FILE)
def dispute_filed_page(request: ActorRequest, dispute_id) -> HttpResponse:
    """One dispute the organisation filed: its state, each covered report's clock, the decision."""
    found = disputes.dispute_read(actor=request.actor, public_id=dispute_id)
    return render(
        request,
        "analyst/dispute.html",
        {
            "dispute": found,
            "state": dispute_state_label(found.status),
            "clocks": coverage_clocks(dispute=found),
        },
    )
