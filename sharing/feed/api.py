"""TAXII 2.1 endpoints of the feed: discovery, API root, collections, objects (one object, its
versions) and manifest; read-only.

Clients send `Accept: application/taxii+json;version=2.1` and authenticate with a hub API key, as a
bearer token or as the password of HTTP Basic (what the OASIS taxii2-client sends). Errors are TAXII
error messages. The views are outside the OpenAPI schema: TAXII 2.1 is their specification. A
collection's objects and manifest are served only to an organisation subscribed to it with an allowed
purpose: FeedSubscriptionsApi (/api/v1/feed-subscriptions, in the OpenAPI schema) takes the purpose.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.authentication import TaxiiApiKeyAuthentication
from accounts.roles import Capability
from accounts.scoped import not_found_message, not_visible, probe_record, public_id_or_none
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_for_actor
from hub.exception_handler import api_exception_handler
from sharing.feed import selectors
from sharing.feed.selectors import TAXII_MEDIA_TYPE, FeedCollection
from sharing.feed.serializers import FeedSubscribeInput, FeedSubscriptionOutput
from sharing.feed.services import subscriptions


class TaxiiRenderer(JSONRenderer):
    media_type = TAXII_MEDIA_TYPE
    format = "taxii"


class TaxiiNegotiation(DefaultContentNegotiation):
    """TAXII 2.1 JSON for `Accept` of it (with version 2.1 or none), `*/*`, `application/*` or nothing; else 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        accepted = [part.split(";") for part in request.META.get("HTTP_ACCEPT", "*/*").split(",")]
        for media_type, *params in accepted:
            params = {p.strip().partition("=")[0]: p.strip().partition("=")[2] for p in params}
            version_ok = params.get("version", "2.1") == "2.1"
            if media_type.strip() in ("*/*", "application/*", "application/taxii+json") and version_ok:
                return renderers[0], TAXII_MEDIA_TYPE
        raise exceptions.NotAcceptable()


def taxii_exception_handler(exc, context):
    """The hub's answer to an error, as a TAXII error message (title, description, http_status)."""
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    error = response.data.get("error", {}) if isinstance(response.data, dict) else {}
    response.data = {
        "title": error.get("code", "error"),
        "description": error.get("message", ""),
        "http_status": str(response.status_code),
        "details": {"fields": error.get("fields") or {}, "request_id": response.data.get("request_id")},
    }
    return response


class TaxiiApi(HubApiView):
    schema = None  # TAXII 2.1 documents these endpoints, not the hub's OpenAPI schema
    # Any collection's reader reaches the feed; which collections it sees is each collection's
    # capability (sharing/feed/services/audiences.py): one it may not read is a 404, never a 403.
    required_capability = Capability.FEED_READ
    audit_object_type = "feed_collection"
    authentication_classes = [TaxiiApiKeyAuthentication]
    renderer_classes = [TaxiiRenderer]
    content_negotiation_class = TaxiiNegotiation

    def get_exception_handler(self):
        return taxii_exception_handler

    def read_audit(self, endpoint: str, *, collection: FeedCollection | None = None, **details) -> None:
        if collection is not None:  # a collection's contents leave the hub; discovery and the root do not
            transfer_for_actor(
                actor=self.actor,
                channel=TransferChannel.FEED,
                target_type="feed_collection",
                target_id=collection.id,
            )
        audit_record(
            actor=self.actor,
            tag=AuditTag.FEED_READ,
            data_class=DataClass.SHAREABLE,
            target_type="feed_collection" if collection else "feed",
            target_id=collection.id if collection else "",
            details={"endpoint": endpoint, **details},
        )

    def collection_or_404(self, collection_id: str) -> FeedCollection:
        collection = selectors.collection_for(self.actor, collection_id)
        if collection is None:
            # Audited like any miss; a malformed id's text is never stored (public_id_or_none).
            probe_record(
                actor=self.actor,
                tag=AuditTag.FEED_READ,
                target_type="feed_collection",
                public_id=public_id_or_none(collection_id),
            )
            raise exceptions.NotFound(not_found_message(gettext_noop("collection")))
        return collection

    def object_or_404(self, collection: FeedCollection, object_id: str) -> None:
        """A 404 (TAXII error, audited) unless the object is in the collection as this reader sees it."""
        if not selectors.object_in_collection(self.actor, collection, object_id):
            not_visible(
                actor=self.actor,
                tag=AuditTag.FEED_READ,
                target_type="feed_object",
                public_id=public_id_or_none(object_id.rpartition("--")[2]),
                noun=gettext_noop("object"),
            )


def _api_root_url(request) -> str:
    return request.build_absolute_uri(reverse("taxii-api-root"))


class TaxiiDiscoveryApi(TaxiiApi):
    def get(self, request):
        self.read_audit("discovery")
        root = _api_root_url(request)
        return Response(
            {
                "title": "Infringer Intelligence Hub",
                "description": "Shareable intelligence on repeat counterfeit and piracy sellers (STIX 2.1).",
                "contact": settings.HUB_PUBLIC_URL,
                "default": root,
                "api_roots": [root],
            }
        )


class TaxiiApiRootApi(TaxiiApi):
    def get(self, request):
        self.read_audit("api_root")
        return Response(
            {
                "title": "Infringer Intelligence Hub feed",
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": 0,  # read-only: nothing may be posted
            }
        )


class TaxiiCollectionsApi(TaxiiApi):
    def get(self, request):
        collections = selectors.collections_for(self.actor)
        self.read_audit("collections", count=len(collections))
        return Response({"collections": [c.resource() for c in collections]} if collections else {})


class TaxiiCollectionApi(TaxiiApi):
    def get(self, request, collection_id: str):
        collection = self.collection_or_404(collection_id)
        self.read_audit("collection", collection=collection)
        return Response(collection.resource())


class _TaxiiPageApi(TaxiiApi):
    endpoint = ""
    list_key = "objects"

    def entry(self, row) -> dict | str:
        raise NotImplementedError

    def page(self, collection: FeedCollection, query: selectors.FeedQuery, object_id: str | None):
        return selectors.feed_page(self.actor, collection, query)

    def get(self, request, collection_id: str, object_id: str | None = None):
        collection = self.collection_or_404(collection_id)
        purpose = subscriptions.feed_purpose(actor=self.actor, collection=collection)
        query = selectors.feed_query(request.query_params)
        if object_id is not None:
            self.object_or_404(collection, object_id)
        page = self.page(collection, query, object_id)
        self.read_audit(
            self.endpoint,
            collection=collection,
            count=len(page.rows),
            ids=sorted({row.stix_id for row in page.rows}),
            purpose=purpose,
        )
        if not page.rows:
            return Response({})
        body = {"more": page.more, self.list_key: [self.entry(row) for row in page.rows]}
        if page.more:
            body["next"] = page.next
        return Response(
            body,
            headers={
                "X-TAXII-Date-Added-First": _taxii_time(page.rows[0].date_added),
                "X-TAXII-Date-Added-Last": _taxii_time(page.rows[-1].date_added),
            },
        )


class TaxiiObjectsApi(_TaxiiPageApi):
    endpoint = "objects"

    def entry(self, row) -> dict:
        return row.content


class TaxiiObjectApi(_TaxiiPageApi):
    """GET one object's versions (by default its last) with the objects filters, as an envelope."""

    endpoint = "object"

    def page(self, collection, query, object_id):
        return selectors.feed_page(self.actor, collection, dataclasses.replace(query, ids=[object_id]))

    def entry(self, row) -> dict:
        return row.content


class TaxiiObjectVersionsApi(_TaxiiPageApi):
    """GET the timestamps of every version of one object, oldest first, paged (TAXII `versions`)."""

    endpoint = "versions"
    list_key = "versions"

    def page(self, collection, query, object_id):
        return selectors.object_versions_page(self.actor, collection, object_id, query)

    def entry(self, row) -> str:
        return _version_text(row)


class TaxiiManifestApi(_TaxiiPageApi):
    endpoint = "manifest"

    def entry(self, row) -> dict:
        return {
            "id": row.stix_id,
            "date_added": _taxii_time(row.date_added),
            "version": _version_text(row),
            "media_type": selectors.STIX_MEDIA_TYPE,
        }


def _version_text(row) -> str:
    """A version as the object itself names it (its `modified`, or `created` for an object that is never
    modified): the same text a client reads in the object, not the same instant in other digits."""
    return row.content.get("modified", row.content["created"])


def _taxii_time(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@extend_schema_view(
    get=extend_schema(
        responses={200: FeedSubscriptionOutput(many=True)},
        summary="Your organisation's feed subscriptions and their purposes",
    )
)
class FeedSubscriptionsApi(HubListApi):
    """GET lists your organisation's subscriptions; POST subscribes to a TAXII collection with a purpose."""

    required_capability = Capability.FEED_READ
    audit_object_type = "feed_subscription"
    output_serializer = FeedSubscriptionOutput

    def list_queryset(self):
        return subscriptions.feed_subscriptions_of(actor=self.actor)

    def page_audit(self, page, *, filters):
        subscriptions.feed_subscriptions_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=FeedSubscribeInput,
        responses={201: FeedSubscriptionOutput},
        summary="Subscribe to a feed collection with a purpose (required before its objects are served)",
        examples=[
            OpenApiExample(
                "Listed sellers, for investigations",
                request_only=True,
                value={"collection": "4b7e1c2a-8f3d-4e59-9a61-0c5d2b7f3e18", "purpose": "investigation"},
            )
        ],
    )
    def post(self, request):
        payload = FeedSubscribeInput(data=request.data, context={"organisation": self.actor.organisation})
        payload.is_valid(raise_exception=True)
        subscription = subscriptions.feed_subscribe(
            collection_id=payload.validated_data["collection"],
            purpose=payload.validated_data["purpose"],
            actor=self.actor,
        )
        return Response(FeedSubscriptionOutput(subscription).data, status=status.HTTP_201_CREATED)
