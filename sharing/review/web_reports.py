"""The reviewers' report pages: the queue of pending reports, one report's review material, the decision.

The statement, the right and the evidence are restricted: sharing/reports/services/review.py opens
them, each read audited under the "report review" legal basis, and only while the report is pending.
Decisions go through the services the API's accept and reject call, their input validated by the
API's own serializers."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.audit.models import LegalBasis
from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from sharing.reports import selectors
from sharing.reports.serializers import ReportAcceptInput, ReviewDecisionInput
from sharing.reports.services import reports, review


@capability_required(Capability.REPORT_REVIEW)
def review_queue(request: ActorRequest) -> HttpResponse:
    """Pending reports, urgent first, then the oldest; each page audited with its report ids."""
    rows = page_audited(
        request,
        selectors.reports_review_queue(actor=request.actor),
        audit=lambda page: selectors.reports_page_audit(
            actor=request.actor, page=page, legal_basis=LegalBasis.OPERATOR_DUTY
        ),
    )
    return render(request, "review/report_queue.html", {"reports": rows})


@capability_required(Capability.REPORT_REVIEW)
def review_report(request: ActorRequest, report_id) -> HttpResponse:
    report = selectors.report_read(actor=request.actor, public_id=report_id, for_review=True)
    return _detail(request, report)


def _detail(
    request: ActorRequest, report, *, errors: dict | None = None, status: int = 200, decision: str = ""
) -> HttpResponse:
    pending = review.review_open(report)
    return render(
        request,
        "review/report_detail.html",
        {
            "report": report,
            "pending": pending,
            "material": review.report_review_material(report=report, actor=request.actor)
            if pending
            else None,
            "errors": errors or {},
            # Which form the errors belong to, and what it held, so it re-renders filled in.
            "decision": decision,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@capability_required(Capability.REPORT_REVIEW)
def review_evidence(request: ActorRequest, report_id, index: int) -> HttpResponse:
    """One evidence file, always as an attachment of opaque bytes: it never renders in the reviewer's browser."""
    report = selectors.report_get(actor=request.actor, public_id=report_id, for_review=True)
    meta, content = review.report_evidence_open(report=report, index=index, actor=request.actor)
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="evidence-{report.public_id}-{meta.index}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(Capability.REPORT_REVIEW)
@require_POST
def review_accept(request: ActorRequest, report_id) -> HttpResponse:
    """Accept, as ReportAcceptApi does (with whether the claimed decision was verified)."""
    report = selectors.report_get(actor=request.actor, public_id=report_id, for_review=True)
    data, errors = api_input(ReportAcceptInput, request.POST)
    if data is None:
        return _detail(request, report, errors=errors, status=400, decision="accept")
    try:
        reports.report_accept(report=report, actor=request.actor, **data)
    except DomainError as exc:
        return _refused(request, report, exc, "accept")
    return redirect("reviewer-report", report_id=report.public_id)


@capability_required(Capability.REPORT_REVIEW)
@require_POST
def review_reject(request: ActorRequest, report_id) -> HttpResponse:
    """Reject with a reason, as ReportRejectApi does."""
    report = selectors.report_get(actor=request.actor, public_id=report_id, for_review=True)
    data, errors = api_input(ReviewDecisionInput, request.POST)
    if data is None:
        return _detail(request, report, errors=errors, status=400, decision="reject")
    try:
        reports.report_reject(report=report, reason=data["reason"], actor=request.actor)
    except DomainError as exc:
        return _refused(request, report, exc, "reject")
    return redirect("reviewer-report", report_id=report.public_id)


def _refused(request: ActorRequest, report, exc: DomainError, decision: str) -> HttpResponse:
    # Decided meanwhile by another reviewer, say: show the report as it now is.
    report = selectors.report_get(actor=request.actor, public_id=report.public_id, for_review=True)
    return _detail(request, report, errors=domain_errors(exc), status=exc.status_code, decision=decision)
