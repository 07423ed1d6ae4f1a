"""Check a seller on the web: the same service, gate, quota and audit as POST /api/v1/checks.

The identifiers are posted (never in a URL) and shown back only in the form the analyst typed
them in; the answer names types, counts and the recommended action, never a raw value.
"""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpResponse
from django.shortcuts import render

from accounts.capabilities import holds_any
from accounts.purpose_field import purpose_options
from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from hub.errors import DomainError
from sharing.analyst.refusals import with_retry_after
from sharing.analyst.web_feedback import feedback_form_context
from sharing.checks.serializers import CheckRunInput
from sharing.checks.services import checks, policies
from sharing.checks.services.match_gate import match_revealing
from sharing.checks.services.words import (
    action_label,
    level_label,
    parcel_action_label,
    policy_summary,
    type_label,
)
from sharing.models.parcels import ParcelEventKind
from sharing.reports.web import identifier_rows as id_rows
from sharing.subjects.inputs import raw_identifiers

ROWS = 4  # identifier rows the form starts with


@match_revealing("post")
@capability_required(Capability.CHECK_RUN)
def check_page(request: ActorRequest) -> HttpResponse:
    """The form; on POST, the answer for the seller's identifiers under the organisation's policy."""
    if request.method != "POST":
        return _render(request, rows=id_rows.rows_blank(ROWS), purpose="")
    rows, purpose = id_rows.rows_posted(request.POST, count=ROWS), request.POST.get("purpose", "")
    data, errors = api_input(
        CheckRunInput,
        {"identifiers": id_rows.identifiers_body(rows), "purpose": purpose},
        context={"organisation": request.actor.organisation},
    )
    if data is None:
        errors = id_rows.errors_to_rows(rows, errors)
        return _render(request, rows=rows, purpose=purpose, errors=errors, status=400)
    try:
        result = checks.check_run(
            identifiers=raw_identifiers(data["identifiers"]), purpose=data["purpose"], actor=request.actor
        )
    except DomainError as exc:
        errors = id_rows.errors_to_rows(rows, domain_errors(exc))
        response = _render(request, rows=rows, purpose=purpose, errors=errors, status=exc.status_code)
        return with_retry_after(response, exc)
    return _render(request, rows=rows, purpose=purpose, result=result)


def _render(
    request,
    *,
    rows,
    purpose: str,
    result: checks.CheckResult | None = None,
    errors=None,
    status: int = 200,
) -> HttpResponse:
    answer = None if result is None else asdict(result)
    context = {
        **id_rows.rows_context(rows, own_country=request.actor.organisation.country),
        "purpose": purpose,
        "purpose_options": purpose_options(request.actor.organisation),
        # The checked identifiers, passed on by the watch and dispute forms of the answer.
        "carried": id_rows.rows_carried(rows),
        "errors": errors or {},
        "result": answer,
        "can_dispute": holds_any(request.actor, [Capability.DISPUTE_FILE]),
        "can_give_feedback": holds_any(request.actor, [Capability.FEEDBACK_RECORD]),
        **feedback_form_context(),
    }
    if result is not None:
        context |= {
            "listed": result.level != "none",
            "level_label": level_label(result.level),
            "action_label": action_label(result.recommended_action),
            "matched_labels": [type_label(t) for t in result.matched_types],
            "corroborated_labels": [type_label(t) for t in result.corroborated_types],
            # Members' counts as every page shows them: "fewer than N" below the threshold.
            "acted_text": result.members_acted.as_text(),
            "false_positive_text": result.members_false_positive.as_text(),
            "parcel_events": [
                (kind, label, result.parcel_events[kind].as_text()) for kind, label in ParcelEventKind.choices
            ],
            # A courier's answer only: what to do with the parcel at pick-up.
            "parcel_action_label": parcel_action_label(result.parcel_action),
            "policy": policy_summary(policies.policy_of(request.actor.organisation.pk)),
        }
    return render(request, "analyst/check.html", context, status=status)
