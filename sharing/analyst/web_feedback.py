"""Feedback on a hit on the web: the form on a check's answer posts here (no JavaScript needed);
the page lists the organisation's current feedback. The same services as /api/v1/feedback."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from hub.errors import DomainError
from sharing.checks.services.words import LEVEL_BADGES, level_label, type_label
from sharing.feedback.serializers import FeedbackInput
from sharing.feedback.services.feedback import (
    FeedbackGiven,
    SellerMatched,
    feedback_current_of,
    feedback_page_audit,
    feedback_record,
    feedback_sellers,
    seller_of,
)
from sharing.models import FeedbackAction, FeedbackOutcome, FeedbackReason

PAGE_SIZE = 200  # the newest current feedback shown; the API pages through all of it


def feedback_form_context() -> dict:
    """The choices the feedback form offers, in the reader's language (the check page shows it too)."""
    return {
        "feedback_outcomes": FeedbackOutcome.choices,
        "feedback_actions": FeedbackAction.choices,
        "feedback_reasons": FeedbackReason.choices,
    }


@never_cache  # the page shows the organisation's own notes
@capability_required(Capability.FEEDBACK_RECORD)
def feedback_page(request: ActorRequest) -> HttpResponse:
    """The current feedback; a POST records one from a check's answer and comes back here."""
    if request.method != "POST":
        return _render(request)
    body = {
        "check_id": request.POST.get("check_id", ""),
        "outcome": request.POST.get("outcome", ""),
        "action": request.POST.get("action", ""),
        "reasons": request.POST.getlist("reasons"),
        "note": request.POST.get("note", ""),
    }
    data, errors = api_input(FeedbackInput, body)
    if data is None:
        return _render(request, errors=errors, posted=body, status=400)
    try:
        feedback_record(
            actor=request.actor,
            given=FeedbackGiven(data["outcome"], data["action"], tuple(data["reasons"]), data["note"]),
            check_id=data["check_id"],
        )
    except DomainError as exc:
        return _render(request, errors=domain_errors(exc), posted=body, status=exc.status_code)
    messages.success(request, gettext("Your feedback was recorded. Other members see only counts."))
    return redirect("feedback-page")


def _render(request, *, errors=None, posted=None, status: int = 200) -> HttpResponse:
    outcomes, actions, reasons = (
        dict(FeedbackOutcome.choices),
        dict(FeedbackAction.choices),
        dict(FeedbackReason.choices),
    )
    current = feedback_sellers(
        actor=request.actor, rows=list(feedback_current_of(actor=request.actor)[:PAGE_SIZE])
    )
    feedback_page_audit(actor=request.actor, page=current)
    rows = [
        {**_seller_cells(seller_of(row)), **_feedback_cells(row, outcomes, actions, reasons)}
        for row in current
    ]
    context = {"rows": rows, "errors": errors or {}, "posted": posted or {}, **feedback_form_context()}
    return render(request, "analyst/feedback.html", context, status=status)


def _seller_cells(seller: SellerMatched) -> dict:
    """The seller as the organisation may see it (no page opens a subject for a member: its id only)."""
    return {
        "subject_id": seller.subject_id,
        "types": [type_label(t) for t in seller.matched_types],
        "level": level_label(seller.level) if seller.level else "",
        "badge": LEVEL_BADGES.get(seller.level or "", ""),
        "matched_at": seller.matched_at,
    }


def _feedback_cells(row, outcomes: dict, actions: dict, reasons: dict) -> dict:
    return {
        "outcome": outcomes.get(row.outcome, row.outcome),
        "action": actions.get(row.action, ""),
        "reasons": [reasons.get(code, code) for code in row.reasons],
        "note": row.note,
        "created_at": row.created_at,
    }
