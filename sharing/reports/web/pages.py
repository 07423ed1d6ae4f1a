"""A rights owner's report pages: file a report, follow its reports, renew, retract and appeal them.

The form is validated by the API's own input serializer and filed by the same service, so a page
and the API accept and refuse the same report. Identifiers come in numbered rows; each row's check
says whose country's rules were used, posted or live (identifier_check, a small JSON endpoint).
"""

from __future__ import annotations

import base64
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rest_framework import serializers
from rest_framework.throttling import SimpleRateThrottle

from accounts.audit.models import LegalBasis
from accounts.roles import Capability
from accounts.web_access import ActorRequest, capability_required, domain_errors, flat_errors
from accounts.web_lists import page_audited
from accounts.zones import COUNTRY_ZONES, DEFAULT_ZONE, organisation_zone, typed_in_zone
from hub.errors import DomainError
from sharing.models import Category, IpType, Report, ReportStatus, UrgencyReason, VerificationLevel
from sharing.reports import selectors
from sharing.reports.inputs import ReportSubmitInput
from sharing.reports.services import reports
from sharing.reports.services.identifier_check import COUNTRY_CHOICES, identifier_verdict
from sharing.reports.web import identifier_rows as id_rows
from sharing.reports.web.badges import STATE_BADGES

FIRST_ROWS = 3
LIST_PAGE_SIZE = 25
GUARANTEE = _(
    "I give a written guarantee that this notice is authentic: the right is ours, the evidence is genuine "
    "and the information given is true."
)


# The live stream's start is typed in the reporter's own time (a datetime-local field has no zone) and
# converted here with the zone chosen beside it: by default the organisation's country's, else Beijing
# time, where most live-stream reporters are.
# (accounts/zones.py: COUNTRY_ZONES, DEFAULT_ZONE, organisation_zone.)
LIVE_ZONES = [*dict.fromkeys([DEFAULT_ZONE, *COUNTRY_ZONES.values(), "America/Los_Angeles", "UTC"])]


class CheckThrottle(SimpleRateThrottle):
    """Live checks per signed-in member: enough to type, too few to test a list of numbers."""

    scope = "identifier_check"
    rate = "60/min"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


@capability_required(Capability.REPORT_SUBMIT)
def report_new(request: ActorRequest) -> HttpResponse:
    """The report form; posted, the report is filed and its page shown, or the form again with its messages."""
    if request.method != "POST":
        return _form(request, rows=id_rows.rows_blank(FIRST_ROWS))
    rows = id_rows.rows_posted(request.POST, count=FIRST_ROWS)
    try:
        payload = ReportSubmitInput(data=_report_body(request, rows))
        payload.is_valid(raise_exception=True)
        report = reports.report_submit(submission=payload.to_submission(), actor=request.actor)
    except serializers.ValidationError as exc:
        errors, status = flat_errors(exc.detail), 400
    except DomainError as exc:
        errors, status = domain_errors(exc), exc.status_code
    else:
        messages.success(request, gettext("Your report was filed."))
        return redirect("report-page", report_id=report.public_id)
    errors = id_rows.errors_to_rows(rows, errors)
    id_rows.rows_checked(rows, default_country=request.actor.organisation.country)
    return _form(request, rows=rows, errors=errors, status=status)


@capability_required(Capability.REPORT_SUBMIT)
@require_POST
def report_new_more(request: ActorRequest) -> HttpResponse:
    """Without JavaScript, "Add another identifier" posts here: the form again, as typed, one row more."""
    return _form(request, rows=id_rows.rows_more(id_rows.rows_posted(request.POST, count=FIRST_ROWS)))


def _identifier_check(request: ActorRequest) -> JsonResponse:
    """One row checked as the form is filled in: JSON, never audited as a check, throttled per member."""
    if not _check_allowed(request):
        return JsonResponse({"message": gettext("Too many checks; wait a minute.")}, status=429)
    identifier_type = request.POST.get("type", "")
    verdict = identifier_verdict(
        identifier_type=identifier_type,
        value=id_rows.value_posted(identifier_type, request.POST),
        country=_country(request.POST.get("country", "")),
        default_country=request.actor.organisation.country,
    )
    return JsonResponse(verdict.as_json())


def _check_allowed(request):
    # Pages have no APIView: the throttle is asked directly, as accounts/admission/throttle.py does.
    return CheckThrottle().allow_request(request, None)


# The capability first, so that a member without it gets 403 whatever the method; then POST only.
identifier_check = capability_required(Capability.REPORT_SUBMIT)(require_POST(_identifier_check))


def _form(
    request: ActorRequest,
    *,
    rows: list[id_rows.IdentifierRow],
    errors: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    post = request.POST if request.method == "POST" else {}
    return render(
        request,
        "sharing/owner/report_new.html",
        {
            **id_rows.rows_context(
                rows,
                own_country=request.actor.organisation.country,
                add_url=reverse("report-new-more"),
                check_url=reverse("report-identifier-check"),
            ),
            "countries": COUNTRY_CHOICES,
            "ip_types": IpType.choices,
            "categories": Category.choices,
            "levels": VerificationLevel.choices,
            "urgency_reasons": UrgencyReason.choices,
            "live_zones": _zone_choices(),
            "live_zone": post.get("live_timezone") or _own_zone(request),
            "posted": post,
            "guarantee": GUARANTEE,
            "limits": {
                "files": settings.HUB_MAX_EVIDENCE_FILES,
                "each": settings.HUB_MAX_EVIDENCE_BYTES,
                "total": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            },
            "errors": errors or {},
        },
        status=status,
    )


def _country(code: str) -> str:
    return code.upper() if code.upper() in dict(COUNTRY_CHOICES) else ""


def _report_body(request: ActorRequest, rows: list[id_rows.IdentifierRow]) -> dict:
    """The posted page in the shape the API takes (ReportSubmitInput)."""
    post = request.POST
    return {
        "identifiers": id_rows.identifiers_body(rows),
        "ip_type": post.get("ip_type", ""),
        "category": post.get("category", ""),
        "verification_level": post.get("verification_level", ""),
        "statement": post.get("statement", ""),
        "right_registration_number": post.get("right_registration_number", ""),
        "right_territory": post.get("right_territory", ""),
        "right_holder": post.get("right_holder", ""),
        "authenticity_guaranteed": post.get("authenticity_guaranteed", "") == "on",
        "urgent": post.get("urgent", "") == "on",
        "urgency_reason": post.get("urgency_reason", ""),
        "live_starts_at": _live_start(
            post.get("live_starts_at", ""), post.get("live_timezone", "") or _own_zone(request)
        ),
        "evidence": [_evidence(upload) for upload in request.FILES.getlist("evidence")],
    }


def _own_zone(request: ActorRequest) -> str:
    return organisation_zone(request.actor.organisation)


def _zone_choices() -> list[tuple[str, str]]:
    now = datetime.now(ZoneInfo("UTC"))
    return [(zone, f"{zone} (UTC{now.astimezone(ZoneInfo(zone)):%z})") for zone in LIVE_ZONES]


def _live_start(typed: str, zone: str) -> str | None:
    """The start as typed, in the chosen zone, with its UTC offset written out for the API's input; a
    value that is no date is passed on as typed, for the input's own message."""
    if not typed:
        return None
    if zone not in LIVE_ZONES:
        raise serializers.ValidationError({"live_timezone": [gettext("Choose a time zone from the list.")]})
    return typed_in_zone(typed, zone)


def _evidence(upload) -> dict:
    # One byte past the limit is enough for the API's rule to refuse it; never read a huge file whole.
    content = upload.read(settings.HUB_MAX_EVIDENCE_BYTES + 1)
    return {
        "name": upload.name,
        "content_type": upload.content_type or "application/octet-stream",
        "content_base64": base64.b64encode(content).decode(),
    }


@capability_required(Capability.REPORT_READ)
def report_list(request: ActorRequest) -> HttpResponse:
    """The organisation's reports, by state, a page at a time (each page audited as the API's)."""
    state = request.GET.get("state", "")
    page = page_audited(
        request,
        selectors.reports_of_organisation_in(actor=request.actor, status=state),
        audit=lambda rows: selectors.reports_page_audit(
            actor=request.actor, page=rows, legal_basis=LegalBasis.MEMBERSHIP_TERMS
        ),
        page_size=LIST_PAGE_SIZE,
    )
    return render(
        request,
        "sharing/owner/report_list.html",
        {
            "page": page,
            "rows": [(r, r.get_status_display(), STATE_BADGES.get(r.status, "")) for r in page],
            "state": state,
            "states": ReportStatus.choices,
        },
    )


@capability_required(Capability.REPORT_READ)
def report_page(request: ActorRequest, report_id) -> HttpResponse:
    """One report: its facts, its history, and renew, retract or appeal as its state allows."""
    return report_detail(request, selectors.report_read(actor=request.actor, public_id=report_id))


def report_detail(
    request: ActorRequest, report: Report, *, errors: dict | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "sharing/owner/report_detail.html",
        {
            "report": report,
            "history": selectors.report_history(report),
            "actions": selectors.report_actions(report),
            "labels": {
                "state": report.get_status_display(),
                "badge": STATE_BADGES.get(report.status, ""),
                "ip_type": report.get_ip_type_display(),
                "category": report.get_category_display(),
                "level": report.get_verification_level_display(),
            },
            "errors": errors or {},
        },
        status=status,
    )


@require_POST
def _renew(request: ActorRequest, report_id) -> HttpResponse:
    report = selectors.report_get(actor=request.actor, public_id=report_id)
    return report_acted(
        request,
        report,
        lambda: reports.report_renew(report=report, actor=request.actor),
        _("The report was renewed."),
    )


@require_POST
def _retract(request: ActorRequest, report_id) -> HttpResponse:
    report = selectors.report_get(actor=request.actor, public_id=report_id)
    return report_acted(
        request,
        report,
        lambda: reports.report_retract(report=report, actor=request.actor),
        _("The report was retracted."),
    )


def report_acted(request: ActorRequest, report: Report, act, done) -> HttpResponse:
    """Run a service on the report; back to its page, or the page again with the refusal's message."""
    try:
        act()
    except DomainError as exc:
        report = selectors.report_get(actor=request.actor, public_id=report.public_id)
        return report_detail(request, report, errors=domain_errors(exc), status=exc.status_code)
    messages.success(request, str(done))
    return redirect("report-page", report_id=report.public_id)


# Renewing needs report:submit, as the API's ReportRenewApi does.
report_renew = capability_required(Capability.REPORT_SUBMIT)(_renew)
report_retract = capability_required(Capability.REPORT_RETRACT)(_retract)
