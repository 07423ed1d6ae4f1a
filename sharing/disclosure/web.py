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
from rest_framework import serializers

from accounts.capabilities import holds_any
from accounts.roles import Capability
from accounts.web_access import api_input, capability_required, domain_errors, flat_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from hubcore.packages import package_download_form
from sharing.disclosure import selectors
from sharing.disclosure.inputs import ReasonInput, disclosure_submit_validated
from sharing.disclosure.services import disclosure, disclosure_packages
from sharing.models import RestrictedField

# The page's names for fields of the API's order body that it names differently.
PAGE_NAMES = {"scope.reports": "report_ids", "scope.fields": "fields", "scope": "report_ids"}


class DisclosureForm(forms.Form):
    """The page's fields, for rendering only: the API's DisclosureSubmitInput validates what is posted."""

    case_number = forms.CharField(max_length=100)
    issuing_court = forms.CharField(max_length=200)
    legal_basis = forms.CharField(max_length=500)
    report_ids = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="One report id per line")
    fields = forms.MultipleChoiceField(  # type: ignore[assignment]  # a declared field, not the base attribute
        choices=RestrictedField.choices, widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    order_document = forms.FileField()


LIST_PAGE_SIZE = 200


@capability_required(Capability.DISCLOSURE_READ)
def disclosure_list(request):
    requests = page_audited(
        request,
        selectors.disclosures_visible_to(actor=request.actor),
        audit=lambda rows: selectors.disclosures_page_audit(actor=request.actor, page=rows),
        page_size=LIST_PAGE_SIZE,
    )
    return render(
        request,
        "sharing/disclosure_list.html",
        {"requests": requests, "can_file": holds_any(request.actor, [Capability.DISCLOSURE_REQUEST])},
    )


@capability_required(Capability.DISCLOSURE_REQUEST)
def disclosure_new(request):
    if request.method != "POST":
        return render(request, "sharing/disclosure_new.html", {"form": DisclosureForm()})
    try:
        created = disclosure_submit_validated(_order_body(request), actor=request.actor)
    except serializers.ValidationError as exc:
        errors, status = flat_errors(exc.detail), 400
    except DomainError as exc:
        errors, status = domain_errors(exc), exc.status_code
    else:
        return redirect("disclosure-page", request_id=created.public_id)
    return render(
        request,
        "sharing/disclosure_new.html",
        {
            "form": DisclosureForm(initial=request.POST.dict() | {"fields": request.POST.getlist("fields")}),
            "errors": _on_page(errors),
        },
        status=status,
    )


def _order_body(request) -> dict:
    """The posted page in the shape the API takes (sharing/disclosure/api.py, DisclosureSubmitInput)."""
    post, upload = request.POST, request.FILES.get("order_document")
    document = {}
    if upload is not None:
        # One byte past the limit is enough for the API's rule to refuse it; never read a huge file whole.
        content = upload.read(settings.HUB_MAX_EVIDENCE_BYTES + 1)
        document = {
            "name": upload.name,
            "content_type": upload.content_type or "application/octet-stream",
            "content_base64": base64.b64encode(content).decode(),
        }
    return {
        "case_number": post.get("case_number", ""),
        "issuing_court": post.get("issuing_court", ""),
        "legal_basis": post.get("legal_basis", ""),
        "deadline": post.get("deadline", ""),
        "scope": {"reports": post.get("report_ids", "").split(), "fields": post.getlist("fields")},
        "order_document": document,
    }


def _on_page(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's field names as the page names them ("scope.reports.2" is "report_ids.2")."""
    renamed: dict[str, list[str]] = {}
    for name, found in errors.items():
        prefix = next((api for api in PAGE_NAMES if name == api or name.startswith(f"{api}.")), None)
        renamed.setdefault(PAGE_NAMES[prefix] + name[len(prefix) :] if prefix else name, []).extend(found)
    return renamed


@capability_required(Capability.DISCLOSURE_READ)
def disclosure_page(request, request_id):
    found = selectors.disclosure_read(actor=request.actor, public_id=request_id)
    if request.method == "POST":
        return _officer_action(request, found)
    return _detail(request, found)


def _detail(request, found, *, errors: dict[str, list[str]] | None = None, status: int = 200):
    return render(
        request,
        "sharing/disclosure_detail.html",
        {
            "req": found,
            "approvals": disclosure.approvals_of(found),
            "errors": errors or {},
            "can_approve": holds_any(request.actor, [Capability.DISCLOSURE_APPROVE]),
            "can_download": holds_any(request.actor, [Capability.DISCLOSURE_DOWNLOAD])
            and found.status in ("package_ready", "delivered"),
        },
        status=status,
    )


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
            return _detail(request, found, errors={"action": ["Choose approve or reject."]}, status=400)
    except DomainError as exc:
        # A refusal may have changed it (an order past its deadline is now expired): read it again.
        found = selectors.disclosure_get(actor=request.actor, public_id=found.public_id)
        return _detail(request, found, errors=domain_errors(exc), status=exc.status_code)
    return redirect("disclosure-page", request_id=found.public_id)


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
