"""Court pages: file an order, follow it, download the package; officers review from here too.

Every form is validated by the API's own input serializer and the same service, so a page and
the API accept and refuse the same input; a refusal shows per-field messages with a 4xx.
"""

from __future__ import annotations

import base64

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.capabilities import holds_any
from accounts.roles import Capability
from accounts.web_access import api_input, capability_required, domain_errors, flat_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from hubcore.packages import package_download_form
from sharing.checks.services.match_gate import match_revealing
from sharing.disclosure import selectors
from sharing.disclosure.inputs import (
    NarrowInput,
    NarrowScopeInput,
    ReasonInput,
    authority_approval_validated,
    disclosure_submit_validated,
)
from sharing.disclosure.services import disclosure, disclosure_packages, jurisdiction
from sharing.disclosure.services.order_document import disclosure_order_document_open
from sharing.models import RestrictedField
from sharing.models.disclosure import OPEN_STATUSES
from sharing.reports.web import identifier_rows as id_rows

# The page's names for fields of the API's order body that it names differently.
PAGE_NAMES = {
    "scope.reports": "report_ids",
    "scope.identifiers": "identifiers",
    "scope.fields": "fields",
    "scope": "report_ids",
}
# Identifier rows the order form starts with (templates/_identifier_rows.html; more by "rows", or by API).
IDENTIFIER_ROWS = 5


class DisclosureForm(forms.Form):
    """The page's fields, for rendering only: the API's DisclosureSubmitInput validates what is posted."""

    case_number = forms.CharField(label=_("Case number"), max_length=100)
    issuing_court = forms.CharField(label=_("Issuing court"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=500)
    report_ids = forms.CharField(
        label=_("Report ids"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One report id per line. Name reports, identifiers below, or both."),
    )
    fields = forms.MultipleChoiceField(  # type: ignore[assignment]  # a declared field, not the base attribute
        label=_("What the order asks for"),
        choices=RestrictedField.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Date and time (UTC) by which the order must be answered."),
    )
    order_document = forms.FileField(label=_("Order document"), help_text=_("The signed order, as a PDF."))


LIST_PAGE_SIZE = 200

# Opening a package offline with stock tools, as the README's court walk-through runs them (tested there).
TRUST_COMMAND = "curl -s {keys_url} | jq -r .package_allowed_signers > allowed_signers"
OPEN_COMMANDS = (
    "age -d -i court.key -o package.zip disclosure-{request_id}.zip.age",
    "unzip -d disclosed package.zip",
    "cd disclosed",
    "ssh-keygen -Y verify -f ../allowed_signers -I iih-hub -n iih-disclosure -s SHA256SUMS.sig < SHA256SUMS",
    "sha256sum -c SHA256SUMS",
)


@capability_required(Capability.DISCLOSURE_READ)
def disclosure_list(request):
    return _list(request, selectors.disclosures_visible_to(actor=request.actor), awaiting=False)


@capability_required(Capability.DISCLOSURE_APPROVE)
def disclosure_awaiting(request):
    """The officer's filter: open orders they have not approved yet."""
    return _list(request, selectors.disclosures_awaiting_approval_by(actor=request.actor), awaiting=True)


def _list(request, queryset, *, awaiting: bool):
    requests = page_audited(
        request,
        queryset,
        audit=lambda rows: selectors.disclosures_page_audit(actor=request.actor, page=rows),
        page_size=LIST_PAGE_SIZE,
    )
    return render(
        request,
        "sharing/disclosure_list.html",
        {
            "requests": requests,
            "awaiting": awaiting,
            "can_file": holds_any(request.actor, [Capability.DISCLOSURE_REQUEST]),
            "can_approve": holds_any(request.actor, [Capability.DISCLOSURE_APPROVE]),
        },
    )


@match_revealing("post")  # an order by identifiers: its package tells which of them are listed
@capability_required(Capability.DISCLOSURE_REQUEST)
def disclosure_new(request):
    if request.method != "POST":
        return _new_form(request, DisclosureForm(), id_rows.rows_blank(IDENTIFIER_ROWS), {}, status=200)
    body, rows = _order_body(request)
    try:
        created = disclosure_submit_validated(body, actor=request.actor)
    except serializers.ValidationError as exc:
        errors, status = flat_errors(exc.detail), 400
    except DomainError as exc:
        errors, status = domain_errors(exc), exc.status_code
    else:
        return redirect("disclosure-page", request_id=created.public_id)
    errors = id_rows.errors_to_rows(rows, _on_page(errors))
    form = DisclosureForm(initial=request.POST.dict() | {"fields": request.POST.getlist("fields")})
    return _new_form(request, form, rows, errors, status=status)


def _new_form(request, form, rows, errors, *, status: int):
    return render(
        request,
        "sharing/disclosure_new.html",
        {
            "form": form,
            **id_rows.rows_context(rows, own_country=request.actor.organisation.country),
            "errors": errors,
            "field_errors": {name.split(".")[0]: found for name, found in errors.items()},
        },
        status=status,
    )


def _order_body(request) -> tuple[dict, list[id_rows.IdentifierRow]]:
    """The posted page in the shape the API takes (DisclosureSubmitInput), and its identifier rows."""
    post, upload = request.POST, request.FILES.get("order_document")
    document = _document_body(upload)
    rows = id_rows.rows_posted(post, count=IDENTIFIER_ROWS)
    identifiers = id_rows.identifiers_body(rows)
    scope = {"reports": post.get("report_ids", "").split(), "fields": post.getlist("fields")}
    return {
        "case_number": post.get("case_number", ""),
        "issuing_court": post.get("issuing_court", ""),
        "legal_basis": post.get("legal_basis", ""),
        "deadline": post.get("deadline", ""),
        "scope": scope | ({"identifiers": identifiers} if identifiers else {}),
        "order_document": document,
    }, rows


def _document_body(upload) -> dict:
    """An uploaded file in the shape the API takes (EvidenceInput); empty when none was sent."""
    if upload is None:
        return {}
    # One byte past the limit is enough for the API's rule to refuse it; never read a huge file whole.
    content = upload.read(settings.HUB_MAX_EVIDENCE_BYTES + 1)
    return {
        "name": upload.name,
        "content_type": upload.content_type or "application/octet-stream",
        "content_base64": base64.b64encode(content).decode(),
    }


def _on_page(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's field names as the page names them ("scope.reports.2" is "report_ids.2", and
    "scope.identifiers.1.value" is "identifiers.1.value", which identifier_rows puts on its row)."""
    renamed: dict[str, list[str]] = {}
    for name, found in errors.items():
        prefix = next((api for api in PAGE_NAMES if name == api or name.startswith(f"{api}.")), None)
        page_name = PAGE_NAMES[prefix] + name[len(prefix) :] if prefix else name
        renamed.setdefault(page_name, []).extend(found)
    return renamed


@capability_required(Capability.DISCLOSURE_READ)
def disclosure_page(request, request_id):
    found = selectors.disclosure_read(actor=request.actor, public_id=request_id)
    if request.method == "POST":
        return _officer_action(request, found)
    return _detail(request, found)


def _detail(request, found, *, errors: dict[str, list[str]] | None = None, status: int = 200):
    can_approve = holds_any(request.actor, [Capability.DISCLOSURE_APPROVE])
    approved_by_me = can_approve and selectors.disclosure_approved_by(found, actor=request.actor)
    return render(
        request,
        "sharing/disclosure_detail.html",
        {
            "req": found,
            "approvals": selectors.disclosure_approvals(found),
            "narrowings": selectors.disclosure_narrowings(found),
            "scope": selectors.disclosure_scope_summary(found, with_types=can_approve),
            "tokens": found.scope_tokens,
            "errors": errors or {},
            "can_approve": can_approve,
            "approved_by_me": approved_by_me,
            **_jurisdiction_context(found, can_record=can_approve and not approved_by_me),
            "can_download": holds_any(request.actor, [Capability.DISCLOSURE_DOWNLOAD])
            and found.status in ("package_ready", "delivered"),
            "field_choices": RestrictedField.choices,
            "trust_command": TRUST_COMMAND.format(keys_url=request.build_absolute_uri(reverse("hub-keys"))),
            "open_commands": [line.format(request_id=found.public_id) for line in OPEN_COMMANDS],
        },
        status=status,
    )


def _jurisdiction_context(found, *, can_record: bool) -> dict:
    """Where the court and the data belong, and the authority's approval a foreign court's order needs."""
    needed = jurisdiction.authority_approval_needed(found)
    recorded = jurisdiction.authority_approval_of(found)
    return {
        "data_jurisdictions": jurisdiction.data_jurisdictions(found),
        "authority_needed": needed,
        "authority_approval": recorded,
        "can_record_authority": can_record and needed and recorded is None and found.status in OPEN_STATUSES,
        "authority_form": AuthorityApprovalForm(),
    }


class AuthorityApprovalForm(forms.Form):
    """The page's fields, for rendering only: the API's AuthorityApprovalInput validates what is posted."""

    authority = forms.CharField(label=_("Approving authority"), max_length=200)
    reference = forms.CharField(label=_("Reference of the approval"), max_length=100)
    decided_on = forms.DateField(
        label=_("Date of the decision"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.FileField(label=_("The approval document"), help_text=_("As issued, a PDF."))


@capability_required(Capability.DISCLOSURE_APPROVE)
def disclosure_authority_approval(request, request_id):
    """Record the competent authority's approval (PIPL Art. 41): the API's input and the same service."""
    if request.method != "POST":
        return redirect("disclosure-page", request_id=request_id)
    found = selectors.disclosure_get(actor=request.actor, public_id=request_id)
    post, upload = request.POST, request.FILES.get("document")
    body = {
        "authority": post.get("authority", ""),
        "reference": post.get("reference", ""),
        "decided_on": post.get("decided_on", ""),
        "document": _document_body(upload),
    }
    try:
        authority_approval_validated(body, request=found, actor=request.actor)
    except serializers.ValidationError as exc:
        return _detail(request, found, errors=flat_errors(exc.detail), status=400)
    except DomainError as exc:
        return _refused(request, found, exc)
    messages.success(request, gettext("The authority's approval was recorded."))
    return redirect("disclosure-page", request_id=found.public_id)


def _officer_action(request, found):
    """Approve, or reject with a reason validated as the API validates it (ReasonInput)."""
    action = request.POST.get("action")
    try:
        if action == "approve":
            disclosure.disclosure_approve(request=found, actor=request.actor)
        elif action == "reject":
            data, errors = api_input(ReasonInput, request.POST)
            if errors:
                return _detail(request, found, errors=errors, status=400)
            disclosure.disclosure_reject(request=found, reason=data["reason"], actor=request.actor)
        else:
            return _detail(
                request, found, errors={"action": [gettext("Choose approve or reject.")]}, status=400
            )
    except DomainError as exc:
        return _refused(request, found, exc)
    return redirect("disclosure-page", request_id=found.public_id)


def _refused(request, found, exc: DomainError):
    # A refusal may have changed it (an order past its deadline is now expired): read it again.
    found = selectors.disclosure_get(actor=request.actor, public_id=found.public_id)
    return _detail(request, found, errors=domain_errors(exc), status=exc.status_code)


@capability_required(Capability.DISCLOSURE_APPROVE)
def disclosure_narrow(request, request_id):
    """Narrow the scope with a reason: the API's NarrowInput and the same service."""
    if request.method != "POST":
        return redirect("disclosure-page", request_id=request_id)
    found = selectors.disclosure_get(actor=request.actor, public_id=request_id)
    post = request.POST
    body = {
        "reason": post.get("reason", ""),
        "scope": {
            "reports": post.getlist("keep_reports"),
            "subjects": post.getlist("keep_subjects"),
            "tokens": post.getlist("keep_tokens"),
            "fields": post.getlist("keep_fields"),
        },
    }
    data, errors = api_input(NarrowInput, body)
    if errors:
        return _detail(request, found, errors=errors, status=400)
    scope = NarrowScopeInput(data=body["scope"])
    scope.is_valid(raise_exception=False)
    try:
        disclosure.disclosure_narrow(
            request=found,
            scope=scope.narrowed(disclosure.scope_of(found)),
            reason=data["reason"],
            actor=request.actor,
        )
    except DomainError as exc:
        return _refused(request, found, exc)
    messages.success(request, gettext("The scope was narrowed."))
    return redirect("disclosure-page", request_id=found.public_id)


@capability_required(Capability.DISCLOSURE_READ)
def disclosure_order_document(request, request_id):
    """The order's document, inline when it is a PDF (the browser's viewer opens it)."""
    found = selectors.disclosure_get(actor=request.actor, public_id=request_id)
    try:
        document = disclosure_order_document_open(request=found, actor=request.actor)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("disclosure-page", request_id=found.public_id)
    response = HttpResponse(document.content, content_type=document.media_type)
    response["Content-Disposition"] = document.disposition(found.public_id)
    # Restricted data: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


@capability_required(Capability.DISCLOSURE_DOWNLOAD)
def disclosure_download(request, request_id):
    found = selectors.disclosure_get(actor=request.actor, public_id=request_id)
    try:
        envelope = disclosure_packages.disclosure_package_download(request=found, actor=request.actor)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("disclosure-page", request_id=found.public_id)
    media_type, suffix = package_download_form(envelope)
    response = HttpResponse(envelope, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="disclosure-{found.public_id}{suffix}"'
    return response
