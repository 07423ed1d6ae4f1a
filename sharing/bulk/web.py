"""Bulk screening pages: upload a file of sellers, follow the jobs, cancel one, download results."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Page
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from hub.uploads import upload_limit
from sharing.bulk.inputs import RESULT_FORMATS, BulkCancelInput
from sharing.bulk.services import bulk
from sharing.checks.services.match_gate import match_revealing
from sharing.models.bulk import BULK_ACTIVE_STATUSES, BulkJob

LIST_LIMIT = 100


class BulkUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV with a ref column and identifier-type columns, or JSONL")


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
    if request.method == "POST" and form.is_valid():
        try:
            job = bulk.bulk_submit(upload=form.cleaned_data["file"], actor=request.actor)
        except DomainError as exc:
            form.add_error("file" if exc.fields and "file" in exc.fields else None, _first_message(exc))
            status = exc.status_code  # as the API answers it (a 429 over the limits, not a 400)
        else:
            return redirect("bulk-page", job_id=job.public_id)
    return render(
        request, "sharing/bulk_list.html", {"jobs": _jobs_listed(request), "form": form}, status=status
    )


def _first_message(exc: DomainError) -> str:
    """The field's first message when the error names one, else the error's message."""
    found = (exc.fields or {}).get("file")
    return str(found[0]) if isinstance(found, list) and found else exc.message


@capability_required(Capability.BULK_RUN)
def bulk_page(request: ActorRequest, job_id) -> HttpResponse:
    """One job: its progress (refreshing itself while it runs), cancel, and downloads when done."""
    return _detail(request, bulk.bulk_job_get(actor=request.actor, public_id=job_id))


def _detail(
    request: ActorRequest, job: BulkJob, *, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    progress = bulk.bulk_status(job=job, actor=request.actor)
    return render(
        request,
        "sharing/bulk_detail.html",
        {
            "job": job,
            "progress": progress,
            "active": job.status in BULK_ACTIVE_STATUSES,
            "done": job.status == "done",
            "formats": list(RESULT_FORMATS),
            "errors": errors or {},
        },
        status=status,
    )


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
    messages.info(request, "The job was cancelled.")
    return redirect("bulk-page", job_id=job.public_id)


@capability_required(Capability.BULK_RUN)
def bulk_download(request: ActorRequest, job_id, file_format: str) -> HttpResponseBase:
    """A finished job's results as CSV or JSONL; a job not done yet goes back to its page."""
    job = bulk.bulk_job_get(actor=request.actor, public_id=job_id)
    if file_format not in RESULT_FORMATS:
        return HttpResponse("Unknown results format.", status=404, content_type="text/plain")
    try:
        lines = bulk.bulk_results_open(job=job, actor=request.actor, file_format=file_format)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("bulk-page", job_id=job.public_id)
    response = StreamingHttpResponse(lines, content_type=RESULT_FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="bulk-{job.public_id}.{file_format}"'
    return response
