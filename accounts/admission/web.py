"""Pages: an organisation applies at /join/; operator admins review the queue at /operator/applications/.

Forms are validated by the API's own input serializers (inputs.py) and call the same services, so a
page and the API accept and refuse the same input; refusals show per-field messages with a 4xx.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework import serializers

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.admission import selectors, services
from accounts.admission.api_support import document_response
from accounts.admission.inputs import (
    ApplicationInput,
    DecisionInput,
    QueueFilterInput,
    applicant_from,
    documents_from_files,
)
from accounts.admission.models import APPLYING_KINDS, ApplicationState
from accounts.admission.throttle import application_allowed
from accounts.roles import Capability
from accounts.web_access import (
    PAGE_METHODS,
    ActorRequest,
    api_input,
    capability_required,
    domain_errors,
    flat_errors,
)
from accounts.web_lists import page_audited
from hub.errors import DomainError

FORM_FIELDS = ("legal_name", "kind", "country", "registration_number", "contact_name", "contact_email")


def _too_many(request, template: str, context: dict, wait: int) -> HttpResponse:
    errors = {
        "non_field_errors": [
            gettext("Too many applications from your address; try again in %(wait)s s.") % {"wait": wait}
        ]
    }
    response = render(request, template, context | {"errors": errors}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(PAGE_METHODS)
def join(request) -> HttpResponse:
    """The public application form (no sign-in): the membership terms are shown and must be accepted."""
    version, text = services.terms_current()
    context = {"terms_version": version, "terms_text": text, "kinds": APPLYING_KINDS, "values": {}}
    if request.method != "POST":
        return render(request, "admission/join.html", context)
    allowed, wait = application_allowed(request)
    if not allowed:
        return _too_many(request, "admission/join.html", context, wait)
    posted = {name: request.POST.get(name, "") for name in FORM_FIELDS}
    context["values"] = posted
    body = posted | {"terms_version": version, "accept_terms": request.POST.get("accept_terms") == "on"}
    data, errors = api_input(ApplicationInput, body)
    try:
        documents = documents_from_files(request.FILES.getlist("documents"))
    except serializers.ValidationError as exc:
        errors |= flat_errors(exc.detail)
    if data is None or errors:
        return render(request, "admission/join.html", context | {"errors": errors}, status=400)
    try:
        application, secret = services.application_submit(
            applicant=applicant_from(data), documents=documents, request_id=getattr(request, "request_id", "")
        )
    except DomainError as exc:
        return render(
            request, "admission/join.html", context | {"errors": domain_errors(exc)}, status=exc.status_code
        )
    return render(
        request, "admission/received.html", {"application": application, "secret": secret}, status=201
    )


@require_http_methods(PAGE_METHODS)
def join_documents(request, application_id) -> HttpResponse:
    """The applicant adds documents with the one-time secret from the answer or the hub's email."""
    secret = (request.POST if request.method == "POST" else request.GET).get("secret", "")
    context = {"application_id": application_id, "secret": secret}
    if request.method != "POST":
        return render(request, "admission/documents.html", context)
    allowed, wait = application_allowed(request)
    if not allowed:
        return _too_many(request, "admission/documents.html", context, wait)
    request_id = getattr(request, "request_id", "")
    application = services.application_upload_authorised(
        public_id=application_id, secret=secret, request_id=request_id
    )
    try:
        documents = documents_from_files(request.FILES.getlist("documents"))
    except serializers.ValidationError as exc:
        return render(
            request, "admission/documents.html", context | {"errors": flat_errors(exc.detail)}, status=400
        )
    services.application_documents_add(application=application, documents=documents, request_id=request_id)
    return render(request, "admission/documents_received.html", {"application": application})


@capability_required(Capability.ORGANISATION_ADMIN)
def applications_queue(request: ActorRequest) -> HttpResponse:
    """Oldest first, optionally in one state."""
    data, errors = api_input(QueueFilterInput, request.GET)
    state = (data or {}).get("state", "")
    rows = page_audited(
        request,
        selectors.applications_queue(actor=request.actor, state=state),
        audit=lambda page: selectors.applications_page_audit(
            actor=request.actor, page=page, filters={"state": state} if state else {}
        ),
    )
    return render(
        request,
        "admission/queue.html",
        {"applications": rows, "state": state, "states": ApplicationState.choices, "errors": errors},
        status=400 if errors else 200,
    )


@capability_required(Capability.ORGANISATION_ADMIN)
def application_page(request: ActorRequest, application_id) -> HttpResponse:
    application = selectors.application_read(actor=request.actor, public_id=application_id)
    return _detail(request, application)


def _detail(request, application, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "admission/application.html",
        {"application": application, "errors": errors or {}},
        status=status,
    )


DECISIONS = {
    "verify": services.application_verify,
    "reject": services.application_reject,
    "request-documents": services.application_documents_request,
}


@require_POST
@capability_required(Capability.ORGANISATION_ADMIN)
def application_decide(request: ActorRequest, application_id, action: str) -> HttpResponse:
    application = selectors.application_get(actor=request.actor, public_id=application_id)
    decision = DECISIONS.get(action)
    if decision is None:
        return _detail(request, application, errors={"action": [gettext("Not a decision.")]}, status=404)
    data, errors = api_input(DecisionInput, request.POST)
    if data is None:
        return _detail(request, application, errors=errors, status=400)
    try:
        decision(application=application, reason=data["reason"], actor=request.actor)
    except DomainError as exc:
        return _detail(request, application, errors=domain_errors(exc), status=exc.status_code)
    return redirect("operator-application", application_id=application.public_id)


@capability_required(Capability.ORGANISATION_ADMIN)
def application_document(request: ActorRequest, application_id, document_id) -> HttpResponse:
    document = selectors.application_document_get(
        actor=request.actor, application_id=application_id, document_id=document_id
    )
    content = services.application_document_open(document=document, actor=request.actor)
    return document_response(document, content)


STANDINGS = {"suspend": True, "reinstate": False}


@require_POST
@capability_required(Capability.ORGANISATION_ADMIN)
def organisation_standing(request: ActorRequest, organisation_id, standing: str) -> HttpResponse:
    """Suspend or reinstate an admitted organisation, with a reason its contact is told."""
    organisation = account_selectors.organisation_get(actor=request.actor, public_id=organisation_id)
    application = selectors.application_of(actor=request.actor, organisation=organisation)
    data, errors = api_input(DecisionInput, request.POST)
    if standing not in STANDINGS:
        data, errors = None, {"standing": [gettext("Suspend or reinstate.")]}
    if data is not None:
        try:
            account_services.organisation_set_standing(
                organisation=organisation,
                verified=True,
                suspended=STANDINGS[standing],
                reason=data["reason"],
                actor=request.actor,
            )
        except DomainError as exc:
            data, errors = None, domain_errors(exc)
    if data is None and application is not None:
        return _detail(request, application, errors=errors, status=400)
    if data is None:
        return render(request, "admission/queue.html", {"applications": [], "errors": errors}, status=400)
    if application is not None:
        return redirect("operator-application", application_id=application.public_id)
    return redirect("operator-applications")
