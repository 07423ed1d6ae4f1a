"""Admins of platforms and couriers: webhook endpoints with their recent deliveries, and the action
policy; the services of WebhooksApi, WebhookDetailApi, WebhookDeliveriesApi and PolicyApi."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.audit.tags import AuditTag
from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError
from sharing.checks.services import policies
from sharing.checks.services.words import CATEGORIES, VERIFICATION_LEVELS, policy_summary
from sharing.due_process.serializers import PolicyInput
from sharing.watchlists.serializers import WebhookRegisterInput
from sharing.watchlists.services import webhooks
from sharing.watchlists.services.watchlists import EVENT_TYPE_LABELS

PAGE_SIZE = 50


@capability_required(Capability.WEBHOOK_MANAGE)
def webhooks_page(request: ActorRequest) -> HttpResponse:
    """The organisation's endpoints and the form; a POST registers one and shows its secret once."""
    if request.method != "POST":
        return _webhooks(request)
    url = request.POST.get("url", "")
    data, errors = api_input(WebhookRegisterInput, {"url": url})
    if data is None:
        return _webhooks(request, url=url, errors=errors, status=400)
    try:
        endpoint, secret = webhooks.webhook_register(url=data["url"], actor=request.actor)
    except DomainError as exc:
        return _webhooks(request, url=url, errors=domain_errors(exc), status=exc.status_code)
    return _webhooks(request, created=endpoint, secret=secret, status=201)


def _webhooks(request, *, url: str = "", errors=None, created=None, secret: str = "", status: int = 200):
    endpoints = page_audited(
        request,
        webhooks.webhook_endpoints_of(actor=request.actor),
        audit=lambda page: webhooks.webhook_endpoints_page_audit(actor=request.actor, page=page),
        page_size=PAGE_SIZE,
    )
    context = {
        "endpoints": endpoints,
        "url": url,
        "errors": errors or {},
        "created": created,
        "secret": secret,
        # What an endpoint receives: each event type in words, its code beside it for the receiver's code.
        "event_types": sorted(EVENT_TYPE_LABELS.items()),
    }
    return render(request, "analyst/webhooks.html", context, status=status)


@capability_required(Capability.WEBHOOK_MANAGE)
def webhook_page(request: ActorRequest, endpoint_id) -> HttpResponse:
    """One endpoint's recent deliveries, newest first."""
    endpoint = webhooks.webhook_endpoint_get(
        actor=request.actor, public_id=endpoint_id, tag=AuditTag.WEBHOOK_DELIVERIES_LISTED
    )
    deliveries = page_audited(
        request,
        webhooks.webhook_deliveries_of(endpoint=endpoint),
        audit=lambda page: webhooks.webhook_deliveries_page_audit(
            actor=request.actor, endpoint=endpoint, page=page
        ),
        page_size=PAGE_SIZE,
    )
    return render(request, "analyst/webhook.html", {"endpoint": endpoint, "deliveries": deliveries})


@capability_required(Capability.WEBHOOK_MANAGE)
@require_POST
def webhook_remove(request: ActorRequest, endpoint_id) -> HttpResponse:
    """Remove an endpoint of the organisation (pending events are cancelled); another's is not there."""
    webhooks.webhook_remove(public_id=endpoint_id, actor=request.actor)
    messages.success(request, gettext("The endpoint is removed; events still pending for it are cancelled."))
    return redirect("webhooks-page")


@capability_required(Capability.POLICY_MANAGE)
def policy_page(request: ActorRequest) -> HttpResponse:
    """The action policy in words and as a form; a POST sets it (PolicyApi PUT's rule and service)."""
    current = policies.policy_of(request.actor.organisation.pk)
    if request.method != "POST":
        return _policy(request, current, current)
    posted = {
        "strikes": request.POST.get("strikes", ""),
        "window_months": request.POST.get("window_months", ""),
        "one_strike_verification_levels": request.POST.getlist("one_strike_verification_levels"),
        "one_strike_categories": request.POST.getlist("one_strike_categories"),
    }
    data, errors = api_input(PolicyInput, posted)
    if data is None:
        return _policy(request, current, posted, errors=errors, status=400)
    policies.policy_set(policy=dict(data), actor=request.actor)
    messages.success(
        request, gettext("The action policy is saved; checks recommend actions under it from now on.")
    )
    return redirect("policy-page")


def _policy(request, current: dict, shown: dict, *, errors=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "analyst/policy.html",
        {
            "summary": policy_summary(current),
            "shown": shown,
            "levels": list(VERIFICATION_LEVELS.items()),
            "categories": list(CATEGORIES.items()),
            "errors": errors or {},
        },
        status=status,
    )
