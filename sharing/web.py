"""Court pages: file an order, follow it, download the package; officers review from here too."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import Capability
from accounts.web_access import capability_required
from hub.errors import DomainError
from sharing import selectors
from sharing.models import RestrictedField
from sharing.services import disclosure, disclosure_packages
from sharing.services.reports import EvidenceFile


class DisclosureForm(forms.Form):
    case_number = forms.CharField(max_length=100)
    issuing_court = forms.CharField(max_length=200)
    legal_basis = forms.CharField(max_length=500)
    report_ids = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="One report id per line")
    fields = forms.MultipleChoiceField(choices=RestrictedField.choices, widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    order_document = forms.FileField()

    def clean_order_document(self):
        # The same bound as the API's order document and evidence files.
        document = self.cleaned_data["order_document"]
        if document.size > settings.HUB_MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(f"The order document may be at most {settings.HUB_MAX_EVIDENCE_BYTES} bytes.")
        return document

    def clean_report_ids(self) -> list[str]:
        import uuid

        ids = [line.strip() for line in self.cleaned_data["report_ids"].splitlines() if line.strip()]
        try:
            return [str(uuid.UUID(i)) for i in ids]
        except ValueError:
            raise forms.ValidationError("Each line must be a report id (a UUID).") from None


@capability_required(Capability.DISCLOSURE_READ)
def disclosure_list(request):
    requests = list(selectors.disclosures_visible_to(actor=request.actor)[:200])
    selectors.disclosures_page_audit(actor=request.actor, page=requests)
    return render(request, "sharing/disclosure_list.html", {"requests": requests,
                                                             "can_file": request.actor.can(Capability.DISCLOSURE_REQUEST)})


@capability_required(Capability.DISCLOSURE_REQUEST)
def disclosure_new(request):
    form = DisclosureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, upload = form.cleaned_data, form.cleaned_data["order_document"]
        try:
            created = disclosure.disclosure_request_submit(
                case_number=data["case_number"], issuing_court=data["issuing_court"], legal_basis=data["legal_basis"],
                scope=disclosure.DisclosureScope(reports=data["report_ids"], fields=sorted(data["fields"])),
                deadline=data["deadline"], actor=request.actor,
                order_document=EvidenceFile(upload.name, upload.content_type or "application/octet-stream", upload.read()))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("disclosure-page", request_id=created.public_id)
    return render(request, "sharing/disclosure_new.html", {"form": form})


@capability_required(Capability.DISCLOSURE_READ)
def disclosure_page(request, request_id):
    found = selectors.disclosure_read(actor=request.actor, public_id=request_id)
    if request.method == "POST":
        return _officer_action(request, found)
    return render(request, "sharing/disclosure_detail.html", {
        "req": found, "approvals": disclosure.approvals_of(found),
        "can_approve": request.actor.can(Capability.DISCLOSURE_APPROVE),
        "can_download": request.actor.can(Capability.DISCLOSURE_DOWNLOAD) and found.status in ("package_ready", "delivered"),
    })


def _officer_action(request, found):
    try:
        if request.POST.get("action") == "approve":
            disclosure.disclosure_approve(request=found, actor=request.actor)
        elif request.POST.get("action") == "reject":
            disclosure.disclosure_reject(request=found, reason=request.POST.get("reason", ""), actor=request.actor)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("disclosure-page", request_id=found.public_id)


@capability_required(Capability.DISCLOSURE_DOWNLOAD)
def disclosure_download(request, request_id):
    found = selectors.disclosure_get(actor=request.actor, public_id=request_id)
    try:
        envelope = disclosure_packages.disclosure_package_download(request=found, actor=request.actor)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("disclosure-page", request_id=found.public_id)
    response = HttpResponse(envelope, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="disclosure-{found.public_id}.json"'
    return response
