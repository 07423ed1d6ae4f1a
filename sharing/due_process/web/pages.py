"""A rights owner's dispute and standing pages: disputes to answer with their clocks, and its record.

The answer is validated by the API's DisputeAnswerInput and given through the same service; the
standing page reads through the same selector as the API's OwnReputationApi.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from sharing.due_process.inputs import AppealInput, DisputeAnswerInput
from sharing.due_process.services import appeals, disputes
from sharing.due_process.services.clock import coverage_clocks, disputes_against
from sharing.models import Dispute
from sharing.reports import selectors as report_selectors
from sharing.reports.services import reputation
from sharing.reports.services.reports import EvidenceFile
from sharing.reports.web.pages import report_acted, report_detail

LIST_PAGE_SIZE = 25


@capability_required(Capability.DISPUTE_RESPOND)
def dispute_list(request: ActorRequest) -> HttpResponse:
    """Disputes against the organisation's reports, each with its own reports' clocks."""
    page = page_audited(
        request,
        disputes_against(organisation_id=request.actor.organisation.pk),
        audit=lambda rows: disputes.disputes_page_audit(actor=request.actor, page=rows),
        page_size=LIST_PAGE_SIZE,
    )
    rows = [
        (found, coverage_clocks(dispute=found, organisation_id=request.actor.organisation.pk))
        for found in page
    ]
    return render(request, "sharing/owner/dispute_list.html", {"page": page, "rows": rows})


@capability_required(Capability.DISPUTE_RESPOND)
def dispute_page(request: ActorRequest, dispute_id) -> HttpResponse:
    """One dispute: the platform's grounds, the clocks, and the answer form."""
    return _detail(request, disputes.dispute_read(actor=request.actor, public_id=dispute_id))


def _detail(
    request: ActorRequest, found: Dispute, *, errors: dict | None = None, status: int = 200
) -> HttpResponse:
    clocks = coverage_clocks(dispute=found, organisation_id=request.actor.organisation.pk)
    return render(
        request,
        "sharing/owner/dispute_detail.html",
        {
            "dispute": found,
            "clocks": clocks,
            "can_answer": any(clock.open for clock in clocks),
            "errors": errors or {},
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@require_POST
def _answer(request: ActorRequest, dispute_id) -> HttpResponse:
    found = disputes.dispute_get(actor=request.actor, public_id=dispute_id)
    data, errors = api_input(
        DisputeAnswerInput,
        {
            "note": request.POST.get("note", ""),
            "evidence": [_evidence(f) for f in request.FILES.getlist("evidence")],
        },
    )
    if data is None:
        return _detail(request, found, errors=errors, status=400)
    evidence = [EvidenceFile(e["name"], e["content_type"], e["content_base64"]) for e in data["evidence"]]
    try:
        disputes.dispute_answer(dispute=found, note=data["note"], evidence=evidence, actor=request.actor)
    except DomainError as exc:
        found = disputes.dispute_get(actor=request.actor, public_id=dispute_id)
        return _detail(request, found, errors=domain_errors(exc), status=exc.status_code)
    messages.success(request, gettext("Your answer was recorded; an operator decides the dispute."))
    return redirect("owner-dispute-page", dispute_id=found.public_id)


dispute_answer = capability_required(Capability.DISPUTE_RESPOND)(_answer)


def _evidence(upload) -> dict:
    content = upload.read(settings.HUB_MAX_EVIDENCE_BYTES + 1)
    return {
        "name": upload.name,
        "content_type": upload.content_type or "application/octet-stream",
        "content_base64": base64.b64encode(content).decode(),
    }


@capability_required(Capability.REPORT_READ)
def standing(request: ActorRequest) -> HttpResponse:
    """The organisation's record as a reporter and its trusted-flagger status (OwnReputationApi's read)."""
    return render(
        request, "sharing/owner/standing.html", {"record": reputation.reputation_read(actor=request.actor)}
    )


@require_POST
def _appeal(request: ActorRequest, report_id) -> HttpResponse:
    report = report_selectors.report_get(actor=request.actor, public_id=report_id)
    data, errors = api_input(AppealInput, request.POST)
    if data is None:
        return report_detail(request, report, errors=errors, status=400)
    return report_acted(
        request,
        report,
        lambda: appeals.report_appeal(report=report, grounds=data["grounds"], actor=request.actor),
        _("Your appeal was filed; another reviewer decides."),
    )


# Appealing needs report:submit, as the API's ReportAppealApi does.
report_appeal = capability_required(Capability.REPORT_SUBMIT)(_appeal)
