"""The public transparency report (no sign-in: GET only, nothing to audit, the same for everyone)
and the operators' pages: the running quarter's draft and the per-member indicators. To anyone
without the operators' capability those two do not exist (404), and the refusal is audited."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import holds_any
from accounts.roles import Capability
from accounts.web_access import web_actor
from sharing.models import TransparencyReport
from sharing.transparency import publication, selectors
from sharing.transparency.charts import document_charts

SAFE_METHODS = ("GET", "HEAD")


def _published(period: str) -> TransparencyReport:
    """The published report of the period; the same 404 for everyone when there is none (public data:
    nothing is anyone's, so nothing to probe)."""
    report = selectors.published_report(period)
    if report is None:
        raise Http404(gettext("There is no transparency report for this period."))
    return report


@require_safe
def transparency_index(request: HttpRequest) -> HttpResponse:
    """The published quarters, newest first."""
    actor = web_actor(request) if request.user.is_authenticated else None
    return render(
        request,
        "transparency/index.html",
        {
            "reports": selectors.published_reports(),
            "operator": holds_any(actor, [Capability.TRANSPARENCY_OPERATE]),
        },
    )


def _quarter_context(document: dict, signature: str) -> dict:
    return {
        "document": document,
        "charts": document_charts(document),
        "median_review_hours": document["figures"]["median_review_hours"],
        "threshold": document["suppression_threshold"],
        "signature": signature,
    }


@require_safe
def transparency_quarter(request: HttpRequest, period: str) -> HttpResponse:
    """One quarter's report: charts and their numbers, drawn from the signed document itself."""
    report = _published(period)
    context = _quarter_context(json.loads(report.document), report.signature)
    return render(request, "transparency/quarter.html", {**context, "report": report})


@require_safe
def transparency_document(request: HttpRequest, period: str) -> HttpResponse:
    """The signed JSON document, byte for byte as signed."""
    report = _published(period)
    response = HttpResponse(report.document.encode(), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="transparency-{report.period}.json"'
    return response


@require_safe
def transparency_signature(request: HttpRequest, period: str) -> HttpResponse:
    """The detached signature (a signed note) of the quarter's document."""
    report = _published(period)
    response = HttpResponse(report.signature, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="transparency-{report.period}.json.sig"'
    return response


def operators_only(view):
    """Operators' pages: not there (404) for anyone without the capability, the refusal audited."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        actor = web_actor(request)
        if not holds_any(actor, [Capability.TRANSPARENCY_OPERATE]):
            audit_record_denied(
                actor=actor,
                tag=AuditTag.ACCESS_DENIED,
                target_type="page",
                reason=f"page {request.path} needs {Capability.TRANSPARENCY_OPERATE.value}",
                request_id=getattr(request, "request_id", ""),
            )
            raise Http404(gettext("There is no such page."))
        request.actor = actor
        return view(request, *args, **kwargs)

    return wrapper


@operators_only
def transparency_draft(request) -> HttpResponse:
    """The running quarter so far, as it would be published (marked as a draft); audited."""
    figures, body, signature = publication.transparency_draft(actor=request.actor, now=timezone.now())
    context = _quarter_context(json.loads(body), signature)
    return render(request, "transparency/quarter.html", {**context, "draft_json": body.decode()})


@operators_only
def indicators_page(request) -> HttpResponse:
    """Per member: hits in the quarter, share acted on, false positives, time to act; audited."""
    quarter = selectors.quarter_parse(request.GET.get("period", "")) or selectors.quarter_of(timezone.now())
    rows = publication.indicators_read(actor=request.actor, quarter=quarter)
    return render(
        request,
        "transparency/indicators.html",
        {"quarter": quarter, "rows": rows, "previous": quarter.previous(), "next": quarter.next()},
    )
