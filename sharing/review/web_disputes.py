"""The reviewers' dispute pages: the queue of undecided disputes, one dispute with both sides and its
clocks, and the decision (the service DisputeDecideApi calls, its input validated by the API's serializer)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from sharing.due_process import selectors
from sharing.due_process.serializers import DisputeDecideInput
from sharing.due_process.services import dispute_review, disputes


@capability_required(Capability.DISPUTE_DECIDE)
def dispute_queue(request: ActorRequest) -> HttpResponse:
    """Undecided disputes, the nearest due date first; each page audited."""
    rows = page_audited(
        request,
        selectors.disputes_review_queue(actor=request.actor),
        audit=lambda page: disputes.disputes_page_audit(actor=request.actor, page=page),
    )
    return render(request, "review/dispute_queue.html", {"disputes": rows})


@capability_required(Capability.DISPUTE_DECIDE)
def dispute_page(request: ActorRequest, dispute_id) -> HttpResponse:
    return _detail(request, disputes.dispute_read(actor=request.actor, public_id=dispute_id))


def _detail(request: ActorRequest, dispute, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    undecided = dispute_review.dispute_review_open(dispute)
    return render(
        request,
        "review/dispute_detail.html",
        {
            "dispute": dispute,
            "sides": selectors.dispute_sides(dispute),
            "grounds_documents": selectors.dispute_grounds_documents(dispute),
            "undecided": undecided,
            "material": dispute_review.dispute_review_material(dispute=dispute, actor=request.actor)
            if undecided
            else None,
            "errors": errors or {},
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@capability_required(Capability.DISPUTE_DECIDE)
def dispute_document(request: ActorRequest, dispute_id, record_id) -> HttpResponse:
    """One submitted document, always as an attachment of opaque bytes: it never renders in the browser."""
    found = disputes.dispute_get(actor=request.actor, public_id=dispute_id)
    document, content = dispute_review.dispute_document_open(
        dispute=found, record_id=record_id, actor=request.actor
    )
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="dispute-document-{document.record}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(Capability.DISPUTE_DECIDE)
@require_POST
def dispute_decide(request: ActorRequest, dispute_id, urgent: bool = False) -> HttpResponse:
    """Uphold or overturn, with a reason, as DisputeDecideApi does; urgently (before a reporter's window
    ends, its own audited action) as DisputeDecideUrgentlyApi does."""
    found = disputes.dispute_get(actor=request.actor, public_id=dispute_id)
    data, errors = api_input(DisputeDecideInput, request.POST)
    if data is None:
        return _detail(request, found, errors=errors, status=400)
    try:
        decide = disputes.dispute_decide_urgently if urgent else disputes.dispute_decide
        decide(dispute=found, upheld=data["outcome"] == "upheld", reason=data["reason"], actor=request.actor)
    except DomainError as exc:
        found = disputes.dispute_get(actor=request.actor, public_id=dispute_id)
        return _detail(request, found, errors=domain_errors(exc), status=exc.status_code)
    return redirect("reviewer-dispute", dispute_id=found.public_id)
