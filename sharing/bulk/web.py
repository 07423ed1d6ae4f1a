"""Bulk screening pages: upload a file of sellers, follow the jobs, cancel one, download results."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Page
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.purpose_field import purpose_options
from accounts.roles import Capability, OrganisationKind
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from hub.uploads import upload_limit
from sharing.bulk.inputs import RESULT_FORMATS, BulkCancelInput, BulkHitsFilterInput
from sharing.bulk.services import bulk, bulk_hits
from sharing.checks.services.match_gate import match_revealing
from sharing.checks.services.words import action_label, level_label, parcel_action_label, type_label
from sharing.models.bulk import BULK_ACTIVE_STATUSES, BulkJob

# The jobs' states in the reader's language (the model's choices stay as migrated).
STATUS_LABELS = {
    "queued": _("Queued"),
    "running": _("Running"),
    "done": _("Done"),
    "cancelled": _("Cancelled"),
    "failed": _("Failed"),
}
LIST_LIMIT = 100
HITS_PAGE_SIZE = 50


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Sellers file"), help_text=_("CSV with a ref column and identifier-type columns, or JSONL")
    )


def _jobs_listed(request: ActorRequest) -> Page:
    return page_audited(
        request,
        bulk.bulk_jobs_of(actor=request.actor),
        audit=lambda rows: bulk.bulk_jobs_page_audit(
            actor=request.actor, page=rows, request_id=getattr(request, "request_id", "")
        ),
        page_size=LIST_LIMIT,
    )


@match_revealing("post")
@upload_limit("HUB_BULK_MAX_UPLOAD_BYTES")
@capability_required(Capability.BULK_RUN)
def bulk_list(request: ActorRequest) -> HttpResponse:
    """The organisation's bulk jobs with their progress, and the upload form."""
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    status = 400 if request.method == "POST" else 200
    purpose, errors = request.POST.get("purpose", ""), {}
    if request.method == "POST" and form.is_valid():
        try:
            job = bulk.bulk_submit(
                upload=form.cleaned_data["file"],
                purpose=purpose,
                actor=request.actor,
                language=request.LANGUAGE_CODE,
            )
        except DomainError as exc:
            if exc.fields and "purpose" in exc.fields:
                errors = {"purpose": exc.fields["purpose"]}
            else:
                form.add_error("file" if exc.fields and "file" in exc.fields else None, _first_message(exc))
            status = exc.status_code  # as the API answers it (a 429 over the limits, not a 400)
        else:
            return redirect("bulk-page", job_id=job.public_id)
    jobs = _jobs_listed(request)
    listed = [(job, STATUS_LABELS.get(job.status, job.status)) for job in jobs]
    context = {
        "jobs": jobs,
        "listed": listed,
        "form": form,
        "purpose": purpose,
        "purpose_options": purpose_options(request.actor.organisation),
        "errors": errors,
    }
    return render(request, "sharing/bulk_list.html", context, status=status)


def _first_message(exc: DomainError) -> str:
    """The field's first message when the error names one, else the error's message."""
    found = (exc.fields or {}).get("file")
    return str(found[0]) if isinstance(found, list) and found else exc.message


@capability_required(Capability.BULK_RUN)
def bulk_page(request: ActorRequest, job_id) -> HttpResponse:
    """One job: its progress (refreshing itself while it runs), its hits counted and filtered, cancel,
    and downloads when done. The filter (level, action) is validated like an API input: 400 when bad."""
    job = bulk.bulk_job_get(actor=request.actor, public_id=job_id)
    filters, errors = api_input(BulkHitsFilterInput, request.GET.dict())
    if filters is None:
        return _detail(request, job, errors=errors, status=400)
    return _detail(request, job, filters=filters)


def _detail(
    request: ActorRequest,
    job: BulkJob,
    *,
    filters: dict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    progress = bulk.bulk_status(job=job, actor=request.actor)
    filters = {key: value for key, value in (filters or {}).items() if value}
    hits = page_audited(
        request,
        bulk_hits.bulk_hits_of(job=job, **filters),
        audit=lambda rows: bulk_hits.bulk_hits_page_audit(
            actor=request.actor, job=job, page=rows, filters=filters
        ),
        page_size=HITS_PAGE_SIZE,
    )
    return render(
        request,
        "sharing/bulk_detail.html",
        {
            "job": job,
            "status_label": STATUS_LABELS.get(job.status, job.status),
            "progress": progress,
            "active": job.status in BULK_ACTIVE_STATUSES,
            "done": job.status == "done",
            "formats": list(RESULT_FORMATS),
            "errors": errors or {},
            "summary": _summary_words(bulk_hits.bulk_hit_summary(job=job)),
            "hits": hits,
            # A courier's job: each hit's parcel action (hold for inspection, accept) has its column.
            "parcel_actions": job.organisation.kind == OrganisationKind.LOGISTICS,
            "hit_rows": [_hit_words(row.result) | {"ref": row.ref, "index": row.index} for row in hits],
            "filters": filters,
            "level_choices": [(level, level_label(level)) for level in bulk_hits.LEVELS if level != "none"],
            "action_choices": [(action, action_label(action)) for action in ("review", "block")],
        },
        status=status,
    )


def _summary_words(summary: dict) -> dict:
    """The summary's codes as words in the reader's language."""
    return {
        **summary,
        "levels": [(code, level_label(code), n) for code, n in summary["levels"]],
        "actions": [(code, action_label(code), n) for code, n in summary["actions"]],
    }


def _hit_words(result: dict) -> dict:
    return {
        "level": result.get("level", ""),
        "level_label": level_label(result.get("level", "")),
        "risk": result.get("risk", 0),
        "types": [type_label(t) for t in result.get("matched_types", [])],
        "reporters": result.get("reporting_organisations", 0),
        "action_label": action_label(result.get("recommended_action", "")),
        "parcel_action": result.get("parcel_action") or "",
        "parcel_action_label": parcel_action_label(result.get("parcel_action")),
    }


@require_POST
@capability_required(Capability.BULK_RUN)
def bulk_cancel(request: ActorRequest, job_id) -> HttpResponse:
    """Cancel a queued or running job (the reason validated as the API's BulkCancelInput), then back to its page."""
    job = bulk.bulk_job_get(actor=request.actor, public_id=job_id)
    data, errors = api_input(BulkCancelInput, request.POST)
    if data is None:
        return _detail(request, job, errors=errors, status=400)
    try:
        bulk.bulk_cancel(job=job, actor=request.actor, reason=data.get("reason", ""))
    except DomainError as exc:
        return _detail(request, job, errors=domain_errors(exc), status=exc.status_code)
    messages.info(request, gettext("The job was cancelled."))
    return redirect("bulk-page", job_id=job.public_id)


@capability_required(Capability.BULK_RUN)
def bulk_download(request: ActorRequest, job_id, file_format: str) -> HttpResponseBase:
    """A finished job's results as CSV or JSONL; a job not done yet goes back to its page."""
    job = bulk.bulk_job_get(actor=request.actor, public_id=job_id)
    if file_format not in RESULT_FORMATS:
        return HttpResponse(gettext("Unknown results format."), status=404, content_type="text/plain")
    try:
        lines = bulk.bulk_results_open(job=job, actor=request.actor, file_format=file_format)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("bulk-page", job_id=job.public_id)
    response = StreamingHttpResponse(lines, content_type=RESULT_FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="bulk-{job.public_id}.{file_format}"'
    return response
