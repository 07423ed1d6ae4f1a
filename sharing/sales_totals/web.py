"""Sales totals on the web: a requester follows its requests; a member sees its tasks and may decline
one. Asking and answering with figures are hubctl's (the Paillier key and the encryption stay on the
member's machine), so the pages show the commands. The same services as /api/v1/sales-totals."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from hubcore import paillier
from sharing.models import MatchSource, SalesTotalsStatus, SalesTotalsTaskStatus
from sharing.sales_totals import selectors
from sharing.sales_totals.inputs import DeclineInput
from sharing.sales_totals.services.sales_totals import refusal_message, sales_totals_decline

# The hubctl commands the pages show (commands, not prose: never translated).
REQUESTER_COMMANDS = "\n".join(
    [
        "hubctl sales-totals keygen --out sales.key",
        "hubctl sales-totals request --key sales.key --subject SUBJECT_ID --from 2025-01-01 --to 2025-12-31 "
        "--currency EUR",
        "hubctl sales-totals decrypt REQUEST_ID --key sales.key",
    ]
)
MEMBER_COMMANDS = (
    "hubctl sales-totals submit TASK_ID --gross-minor 1250000 --orders 310 --units 402 --accounts 3"
)


@never_cache
@capability_required(Capability.SALES_TOTALS_REQUEST)
def requests_page(request: ActorRequest) -> HttpResponse:
    """The organisation's requests, newest first; a released one shows its aggregate's hash."""
    page = page_audited(
        request,
        selectors.requests_visible_to(actor=request.actor),
        audit=lambda rows: selectors.requests_page_audit(actor=request.actor, page=rows),
    )
    rows = [
        {
            "id": row.public_id,
            "seller": row.subject_ref,
            "status": SalesTotalsStatus(row.status).label,
            "released": row.status == SalesTotalsStatus.RELEASED,
            "period_start": row.period_start,
            "period_end": row.period_end,
            "currency": row.currency,
            "k": row.k,
            "deadline": row.deadline,
            "refusal": refusal_message(row) if row.status == SalesTotalsStatus.REFUSED else "",
            "aggregate_sha256": paillier.aggregate_sha256(row.aggregate) if row.aggregate else "",
        }
        for row in page
    ]
    return render(
        request,
        "sharing/sales_totals/requests.html",
        {"page": page, "rows": rows, "commands": REQUESTER_COMMANDS},
    )


@never_cache
@capability_required(Capability.SALES_TOTALS_CONTRIBUTE)
def tasks_page(request: ActorRequest) -> HttpResponse:
    """The organisation's tasks; a POST declines one with a reason and comes back here."""
    if request.method != "POST":
        return _tasks_render(request)
    body = {"reason": request.POST.get("reason", "")}
    posted = {"task_id": request.POST.get("task_id", ""), **body}
    data, errors = api_input(DeclineInput, body)
    if data is None:
        return _tasks_render(request, errors=errors, posted=posted, status=400)
    try:
        task = selectors.task_get(actor=request.actor, public_id=posted["task_id"])
        sales_totals_decline(task=task, reason=data["reason"], actor=request.actor)
    except DomainError as exc:
        return _tasks_render(request, errors=domain_errors(exc), posted=posted, status=exc.status_code)
    messages.success(request, gettext("You declined the task. The requester is not told who declined."))
    return redirect("sales-totals-tasks-page")


def _tasks_render(request, *, errors=None, posted=None, status: int = 200) -> HttpResponse:
    page = page_audited(
        request,
        selectors.tasks_visible_to(actor=request.actor),
        audit=lambda rows: selectors.tasks_page_audit(actor=request.actor, page=rows),
    )
    matches = selectors.own_matches_of(actor=request.actor, tasks=list(page))
    rows = [
        {
            "id": task.public_id,
            "seller": task.request.subject_ref,
            "matches": [(MatchSource(source).label, ref) for source, ref in matches.get(task.pk, [])],
            "status": SalesTotalsTaskStatus(task.status).label,
            "pending": task.status == SalesTotalsTaskStatus.PENDING
            and task.request.status == SalesTotalsStatus.OPEN,
            "period_start": task.request.period_start,
            "period_end": task.request.period_end,
            "currency": task.request.currency,
            "deadline": task.request.deadline,
            "accounts": task.accounts,
        }
        for task in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "errors": errors or {},
        "posted": posted or {},
        "commands": MEMBER_COMMANDS,
    }
    return render(request, "sharing/sales_totals/tasks.html", context, status=status)
