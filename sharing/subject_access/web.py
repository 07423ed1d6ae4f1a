"""The listed person's pages under /my-listing/: no sign-in, a proven identifier instead.

The proven identifiers' tokens (never their values), in their sealed storage form, live in the Django
session; the challenge being answered too, so no identifier or code ever appears in a URL.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.web_access import PAGE_METHODS, api_input, domain_errors
from hub.client_address import client_address
from hub.errors import DomainError, TooManyRequestsError
from sharing.checks.services.words import level_label, type_label
from sharing.models import Category
from sharing.subject_access.inputs import AppealInput, CodeInput, CodeRequestInput, RectificationInput
from sharing.subject_access.services.appeal import subject_appeal_file
from sharing.subject_access.services.export import subject_export
from sharing.subject_access.services.proof import ProvenIdentifier, code_request, code_verify, observed_twins
from sharing.subject_access.services.rectification import rectification_request
from sharing.subject_access.services.statement import statement_read

CHALLENGE_KEY = "subject_access_challenge"
PROVEN_KEY = "subject_access_proven"
# The observed twins of the identifier a code was sent to (sealed), proven together with it.
TWINS_KEY = "subject_access_twins"


def _address(request) -> str:
    return client_address(request)


def _request_id(request) -> str:
    return getattr(request, "request_id", "")


def _proven(request) -> list[ProvenIdentifier]:
    opened = (ProvenIdentifier.from_session(item) for item in request.session.get(PROVEN_KEY, []))
    return [proven for proven in opened if proven is not None]


def _refused(request, template: str, context: dict, exc: DomainError) -> HttpResponse:
    response = render(request, template, context | {"errors": domain_errors(exc)}, status=exc.status_code)
    return _with_retry_after(response, exc)


def _with_retry_after(response: HttpResponse, exc: DomainError) -> HttpResponse:
    if isinstance(exc, TooManyRequestsError) and exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


@require_http_methods(PAGE_METHODS)
def subject_start(request) -> HttpResponse:
    """Name an email address or a phone number; the hub sends it a one-time code."""
    context = {"values": {"identifier_type": "email"}}
    if request.method != "POST":
        return render(request, "subject_access/start.html", context)
    context["values"] = {"identifier_type": request.POST.get("identifier_type", "")}
    data, errors = api_input(CodeRequestInput, request.POST)
    if data is None:
        return render(request, "subject_access/start.html", context | {"errors": errors}, status=400)
    try:
        challenge = code_request(
            identifier_type=data["identifier_type"],
            value=data["value"],
            client_address=_address(request),
            request_id=_request_id(request),
        )
    except DomainError as exc:
        return _refused(request, "subject_access/start.html", context, exc)
    request.session[CHALLENGE_KEY] = challenge
    request.session[TWINS_KEY] = [
        twin.as_session() for twin in observed_twins(data["identifier_type"], data["value"])
    ]
    return redirect("subject-code")


@require_http_methods(PAGE_METHODS)
def subject_code(request) -> HttpResponse:
    """Type the code received; proven, the identifier joins the session's proven ones."""
    challenge = request.session.get(CHALLENGE_KEY)
    if not challenge:
        return redirect("subject-start")
    if request.method != "POST":
        return render(request, "subject_access/code.html", {})
    data, errors = api_input(CodeInput, request.POST)
    if data is None:
        return render(request, "subject_access/code.html", {"errors": errors}, status=400)
    try:
        proven = code_verify(
            challenge_id=challenge,
            code=data["code"].strip(),
            client_address=_address(request),
            request_id=_request_id(request),
        )
    except DomainError as exc:
        return _refused(request, "subject_access/code.html", {}, exc)
    twins = (ProvenIdentifier.from_session(item) for item in request.session.pop(TWINS_KEY, []))
    request.session.cycle_key()  # a new session id once something is proven in it
    # In the order proven (dict keys keep it), each once.
    proven_now = dict.fromkeys([*_proven(request), proven, *(twin for twin in twins if twin is not None)])
    request.session[PROVEN_KEY] = [p.as_session() for p in proven_now]
    del request.session[CHALLENGE_KEY]
    return redirect("subject-statement")


def _statement_page(request, proven, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    statement = statement_read(proven=proven, request_id=_request_id(request))
    context = {
        "statement": statement,
        "proven_labels": [type_label(p.type) for p in proven],
        "level_label": level_label(statement.result.level),
        "category_labels": [Category(value).label for value in statement.result.categories],
        "errors": errors or {},
    }
    return render(request, "subject_access/statement.html", context, status=status)


@require_GET
def subject_statement(request) -> HttpResponse:
    """The statement of reasons for the proven identifiers, with the appeal and correction forms."""
    proven = _proven(request)
    if not proven:
        return redirect("subject-start")
    return _statement_page(request, proven)


@require_POST
def subject_appeal(request) -> HttpResponse:
    proven = _proven(request)
    if not proven:
        return redirect("subject-start")
    data, errors = api_input(AppealInput, request.POST)
    if data is None:
        return _statement_page(request, proven, errors=errors, status=400)
    try:
        subject_appeal_file(proven=proven, grounds=data["grounds"], request_id=_request_id(request))
    except DomainError as exc:
        return _statement_page(request, proven, errors=domain_errors(exc), status=exc.status_code)
    messages.success(
        request, gettext("Your appeal was filed. The reporters were told and their window runs.")
    )
    return redirect("subject-statement")


@require_POST
def subject_rectification(request) -> HttpResponse:
    proven = _proven(request)
    if not proven:
        return redirect("subject-start")
    data, errors = api_input(RectificationInput, request.POST)
    if data is None:
        return _statement_page(request, proven, errors=errors, status=400)
    try:
        rectification_request(proven=proven, text=data["text"], request_id=_request_id(request))
    except DomainError as exc:
        page = _statement_page(request, proven, errors=domain_errors(exc), status=exc.status_code)
        return _with_retry_after(page, exc)
    messages.success(request, gettext("Your request was sent to the reporters and to the hub's operators."))
    return redirect("subject-statement")


@require_GET
def subject_export_download(request) -> HttpResponse:
    """What the shareable tier holds about the proven identifiers, as a JSON file."""
    proven = _proven(request)
    if not proven:
        return redirect("subject-start")
    document = subject_export(proven=proven, request_id=_request_id(request))
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-listing-export.json"'
    return response
