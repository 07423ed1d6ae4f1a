"""Feed subscriptions on the web: the collections the member reads, the purpose each is read for, and
subscribing (or restating the purpose); the services of FeedSubscriptionsApi."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from accounts.purpose_field import purpose_options
from accounts.purposes import Purpose
from accounts.roles import Capability
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from hub.errors import DomainError
from sharing.feed.serializers import FeedSubscribeInput
from sharing.feed.services import subscriptions
from sharing.feed.services.audiences import collections_for


@capability_required(Capability.FEED_READ)
def feed_subscriptions_page(request: ActorRequest) -> HttpResponse:
    """The collections with their purposes; a POST subscribes to one for a purpose."""
    if request.method != "POST":
        return _render(request)
    body = {"collection": request.POST.get("collection", ""), "purpose": request.POST.get("purpose", "")}
    data, errors = api_input(FeedSubscribeInput, body, context={"organisation": request.actor.organisation})
    if data is None:
        return _render(request, errors=errors, status=400)
    try:
        subscriptions.feed_subscribe(
            collection_id=data["collection"], purpose=data["purpose"], actor=request.actor
        )
    except DomainError as exc:
        return _render(request, errors=domain_errors(exc), status=exc.status_code)
    messages.success(request, gettext("The collection is served to your organisation for this purpose."))
    return redirect("feed-subscriptions-page")


def _render(request: ActorRequest, *, errors=None, status: int = 200) -> HttpResponse:
    held = list(subscriptions.feed_subscriptions_of(actor=request.actor))
    subscriptions.feed_subscriptions_page_audit(actor=request.actor, page=held)
    purposes = {s.collection: s.purpose for s in held}
    rows = [
        {
            "collection": collection,
            "purpose": purposes.get(collection.id, ""),
            "purpose_label": Purpose(purposes[collection.id]).label if collection.id in purposes else "",
        }
        for collection in collections_for(request.actor)
    ]
    context = {
        "rows": rows,
        "purpose_options": purpose_options(request.actor.organisation),
        "errors": errors or {},
    }
    return render(request, "analyst/feed_subscriptions.html", context, status=status)
