"""Feed subscriptions: an organisation states its purpose for reading a TAXII collection before the
collection's objects and manifest are served (purpose limitation, accounts/purposes.py).

TAXII GETs carry no body, so the purpose is stated once, here, and every read of the collection is
audited with it. A subscription whose purpose the organisation's kind or agreement no longer allows
counts as none: the reader must subscribe again with an allowed purpose.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record, audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.purposes import organisation_purposes, purpose_require, purposes_text
from accounts.roles import Capability
from accounts.scoped import not_visible, public_id_or_none
from hub.errors import DomainError
from sharing.feed.services.audiences import FeedCollection, collection_for
from sharing.models import FeedSubscription


@transaction.atomic
def feed_subscribe(*, collection_id: str, purpose: str, actor: Actor) -> FeedSubscription:
    """Subscribe the actor's organisation to a collection it reads, for an allowed purpose (restating
    the purpose of an existing subscription)."""
    require(actor, Capability.FEED_READ)
    collection = collection_for(actor, collection_id)
    if collection is None:  # not readable is not there: the audited 404 of every lookup
        not_visible(
            actor=actor,
            tag=AuditTag.FEED_SUBSCRIBED,
            target_type="feed_collection",
            public_id=public_id_or_none(collection_id),
            noun=gettext_noop("collection"),
        )
    purpose = purpose_require(organisation=actor.organisation, purpose=purpose)
    subscription, _ = FeedSubscription.objects.update_or_create(
        organisation=actor.organisation,
        collection=collection.id,
        defaults={"purpose": purpose, "created_by": actor.member, "created_at": timezone.now()},
    )
    audit_record(
        actor=actor,
        tag=AuditTag.FEED_SUBSCRIBED,
        data_class=DataClass.SHAREABLE,
        target_type="feed_collection",
        target_id=collection.id,
        details={"purpose": purpose},
    )
    return subscription


def feed_subscriptions_of(*, actor: Actor) -> QuerySet[FeedSubscription]:
    """The actor's organisation's subscriptions, newest first."""
    require(actor, Capability.FEED_READ)
    return FeedSubscription.objects.filter(organisation=actor.organisation).order_by("-created_at", "-id")


def feed_subscriptions_page_audit(*, actor: Actor, page: list[FeedSubscription]) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.FEED_SUBSCRIPTIONS_LISTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="feed_subscription",
        details={"count": len(page), "collections": [s.collection for s in page]},
    )


def feed_purpose(*, actor: Actor, collection: FeedCollection) -> str:
    """The purpose the actor's organisation reads this collection for; a 400 saying to subscribe with an
    allowed purpose when it holds no subscription, or one whose purpose is no longer allowed."""
    purpose = (
        FeedSubscription.objects.filter(organisation=actor.organisation, collection=collection.id)
        .values_list("purpose", flat=True)
        .first()
    )
    if purpose and purpose in organisation_purposes(actor.organisation):
        return purpose
    audit_record_denied(
        actor=actor,
        tag=AuditTag.FEED_READ,
        target_type="feed_collection",
        reason=f"no subscription with an allowed purpose to collection {collection.id}",
        request_id=actor.request_id,
    )
    message = gettext(
        "Subscribe to this collection with a purpose first (POST /api/v1/feed-subscriptions with the "
        "collection and a purpose); your organisation may state: %(allowed)s."
    ) % {"allowed": purposes_text(organisation_purposes(actor.organisation))}
    raise DomainError(message, fields={"purpose": [message]})
