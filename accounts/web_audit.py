"""The audit review pages for operators and auditors; every read is audited in its own request.

The logic (proofs, chart data, export) lives in accounts/audit/review.py; these views only wire it.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.audit import alerts, review
from accounts.audit.filters import AlertFilter, AuditEventFilter
from accounts.audit.inputs import AlertHandleInput
from accounts.audit.models import AlertStatus, DataClass
from accounts.capabilities import holds_any
from accounts.roles import Capability
from accounts.web_access import api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError

ALERT_ACTIONS = {"acknowledge": AlertStatus.ACKNOWLEDGED, "resolve": AlertStatus.RESOLVED}


def _event_filter(request, **forced) -> tuple[AuditEventFilter, dict]:
    """The audit filters of the query string (page number aside) and the ones actually set."""
    params = request.GET.copy()
    params.pop("page", None)
    params.update(forced)
    filtered = AuditEventFilter(params, queryset=selectors.audit_events())
    return filtered, {k: v for k, v in params.items() if k in filtered.filters and v}


def _listing(request, template: str, **forced):
    filtered, applied = _event_filter(request, **forced)
    valid = filtered.is_valid()
    page = page_audited(
        request,
        filtered.qs if valid else filtered.queryset.none(),
        audit=(lambda rows: selectors.audit_page_audit(actor=request.actor, page=rows, filters=applied))
        if valid
        else None,
    )
    context = {
        "page": page,
        "errors": filtered.errors,
        "values": review.filter_values(request.GET, filtered.form),
        "choices": review.filter_choices(),
        "applied": applied,
    }
    return render(request, template, context, status=200 if valid else 400)


@capability_required(Capability.AUDIT_READ)
def audit_log(request):
    return _listing(request, "audit/log.html")


@capability_required(Capability.AUDIT_READ)
def audit_restricted(request):
    return _listing(request, "audit/restricted.html", data_class=DataClass.RESTRICTED.value)


@capability_required(Capability.AUDIT_READ)
def audit_event(request, seq: int):
    event = get_object_or_404(selectors.audit_events(), seq=seq)
    inclusion = review.event_inclusion(event)
    selectors.audit_page_audit(actor=request.actor, page=[event], filters={"seq": str(seq)})
    return render(
        request,
        "audit/event.html",
        {
            "event": event,
            "inclusion": inclusion,
            "order": review.order_of(event),
            "details_json": json.dumps(event.details, indent=2, sort_keys=True, ensure_ascii=False),
        },
    )


@capability_required(Capability.AUDIT_READ)
def audit_alerts(request):
    return _alerts_page(request)


def _alerts_page(request, *, form_errors: dict[str, list[str]] | None = None, status: int = 200):
    visible = review.alerts_open_first(alerts.alerts_visible_to(actor=request.actor))
    filtered = AlertFilter(request.GET, queryset=visible)
    valid = filtered.is_valid()
    page = page_audited(
        request,
        filtered.qs if valid else visible.none(),
        audit=lambda rows: selectors.alerts_page_audit(actor=request.actor, page=rows),
    )
    return render(
        request,
        "audit/alerts.html",
        {
            "page": page,
            "errors": filtered.errors,
            "status": request.GET.get("status", ""),
            "form_errors": form_errors,
            "choices": review.filter_choices(),
            "can_handle": holds_any(request.actor, [Capability.ALERT_HANDLE]),
        },
        status=status if valid else 400,
    )


@require_POST
@capability_required(Capability.ALERT_HANDLE)
def audit_alert_handle(request, alert_id, action: str):
    """Acknowledge or resolve, the reason validated as the API validates it (AlertHandleInput)."""
    if action not in ALERT_ACTIONS:
        raise Http404("No such alert action.")
    data, errors = api_input(AlertHandleInput, request.POST)
    if data is None:
        return _alerts_page(request, form_errors=errors, status=400)
    try:
        alert = alerts.alert_get(actor=request.actor, public_id=alert_id, status=ALERT_ACTIONS[action])
        alert = alerts.alert_handle(
            alert=alert, status=ALERT_ACTIONS[action], reason=data["reason"], actor=request.actor
        )
    except DomainError as exc:
        return _alerts_page(request, form_errors=domain_errors(exc), status=exc.status_code)
    messages.success(
        request,
        gettext("Alert %(kind)s is now %(status)s.")
        % {"kind": alert.kind, "status": alert.get_status_display().lower()},
    )
    return redirect("audit-alerts")


@capability_required(Capability.AUDIT_READ)
def audit_chart(request):
    period = request.GET.get("period", "day")
    period = period if period in review.PERIODS else "day"
    chart = review.access_chart(period)
    selectors.audit_page_audit(actor=request.actor, page=[], filters={"view": "chart", "period": period})
    return render(request, "audit/chart.html", {"chart": chart, "periods": list(review.PERIODS)})


@capability_required(Capability.AUDIT_READ)
def audit_checkpoints(request):
    problems = review.log_verify(actor=request.actor) if request.method == "POST" else None
    status = review.checkpoint_status(actor=request.actor)
    return render(request, "audit/checkpoints.html", {"status": status, "problems": problems})


@capability_required(Capability.AUDIT_READ)
def audit_export(request):
    filtered, applied = _event_filter(request)
    if not filtered.is_valid():
        return HttpResponseBadRequest(
            json.dumps({"errors": filtered.errors}), content_type="application/json"
        )
    export = review.export_prepare(filtered.qs)
    review.export_audit(actor=request.actor, export=export, filters=applied)
    response = StreamingHttpResponse(
        review.export_lines(export), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="audit-export.jsonl"'
    return response
