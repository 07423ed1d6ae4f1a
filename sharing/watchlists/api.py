"""API of watchlists and webhook endpoints: thin views over sharing/watchlists/services/{watchlists,webhooks}.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.audit.tags import AuditTag
from accounts.roles import Capability
from sharing.subjects.inputs import raw_identifiers
from sharing.watchlists.serializers import (
    WatchAddInput,
    WatchAddOutput,
    WatchEntryOutput,
    WatchRestateInput,
    WebhookDeliveryOutput,
    WebhookEndpointOutput,
    WebhookRegisteredOutput,
    WebhookRegisterInput,
)
from sharing.watchlists.services import watchlists, webhooks


@extend_schema_view(
    get=extend_schema(
        responses={200: WatchEntryOutput(many=True)}, summary="Your organisation's watch entries"
    )
)
class WatchlistApi(HubListApi):
    """GET lists your organisation's watch entries; POST adds one seller's identifiers."""

    required_capability = Capability.WATCHLIST_MANAGE
    # A standing check: its webhooks tell when the seller is listed.
    match_revealing_methods = frozenset({"post"})
    audit_object_type = "watch_entry"
    output_serializer = WatchEntryOutput

    def list_queryset(self):
        return watchlists.watch_entries_of(actor=self.actor)

    def page_audit(self, page, *, filters):
        watchlists.watch_entries_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=WatchAddInput,
        responses={201: WatchAddOutput},
        summary="Watch a seller of yours: hear by webhook when its identifiers are reported",
        examples=[
            OpenApiExample(
                "One seller by phone and email",
                request_only=True,
                value={
                    "identifiers": [
                        {"type": "phone", "value": "+86 138 0013 8000"},
                        {"type": "email", "value": "seller@example.com"},
                    ],
                    "ref": "merchant-1042",
                    "purpose": "seller_onboarding",
                },
            )
        ],
    )
    def post(self, request):
        payload = WatchAddInput(data=request.data, context={"organisation": self.actor.organisation})
        payload.is_valid(raise_exception=True)
        entries = watchlists.watchlist_add(
            identifiers=raw_identifiers(payload.validated_data["identifiers"]),
            ref=payload.validated_data["ref"],
            purpose=payload.validated_data["purpose"],
            actor=self.actor,
        )
        return Response(
            {"entries": WatchEntryOutput(entries, many=True).data}, status=status.HTTP_201_CREATED
        )


class WatchEntryApi(HubApiView):
    required_capability = Capability.WATCHLIST_MANAGE
    audit_object_type = "watch_entry"

    @extend_schema(
        request=WatchRestateInput,
        responses={200: WatchEntryOutput},
        summary="Restate the purpose of one watch entry (one that needs a purpose reveals no matches)",
        examples=[
            OpenApiExample("An allowed purpose", request_only=True, value={"purpose": "seller_onboarding"})
        ],
    )
    def patch(self, request, entry_id):
        payload = WatchRestateInput(data=request.data, context={"organisation": self.actor.organisation})
        payload.is_valid(raise_exception=True)
        entry = watchlists.watch_entry_restate(
            public_id=entry_id, purpose=payload.validated_data["purpose"], actor=self.actor
        )
        return Response(WatchEntryOutput(entry).data)

    @extend_schema(request=None, responses={204: None}, summary="Stop watching one entry")
    def delete(self, request, entry_id):
        watchlists.watch_entry_remove(public_id=entry_id, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        responses={200: WebhookEndpointOutput(many=True)}, summary="Your organisation's webhook endpoints"
    )
)
class WebhooksApi(HubListApi):
    """GET lists your organisation's webhook endpoints; POST registers one."""

    required_capability = Capability.WEBHOOK_MANAGE
    audit_object_type = "webhookendpoint"
    output_serializer = WebhookEndpointOutput

    def list_queryset(self):
        return webhooks.webhook_endpoints_of(actor=self.actor)

    def page_audit(self, page, *, filters):
        webhooks.webhook_endpoints_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=WebhookRegisterInput,
        examples=[
            OpenApiExample(
                "An https endpoint", request_only=True, value={"url": "https://hooks.example.com/hub-events"}
            )
        ],
        responses={201: WebhookRegisteredOutput},
        summary="Register a webhook endpoint",
        description=webhooks.RECEIVER_GUIDE,
    )
    def post(self, request):
        payload = WebhookRegisterInput(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint, secret = webhooks.webhook_register(url=payload.validated_data["url"], actor=self.actor)
        endpoint.secret = secret
        return Response(WebhookRegisteredOutput(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(HubApiView):
    required_capability = Capability.WEBHOOK_MANAGE
    audit_object_type = "webhookendpoint"

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Remove a webhook endpoint (pending events are cancelled)",
    )
    def delete(self, request, endpoint_id):
        webhooks.webhook_remove(public_id=endpoint_id, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        responses={200: WebhookDeliveryOutput(many=True)}, summary="The delivery log of one endpoint"
    )
)
class WebhookDeliveriesApi(HubListApi):
    required_capability = Capability.WEBHOOK_MANAGE
    audit_object_type = "webhookendpoint"
    output_serializer = WebhookDeliveryOutput

    def list_queryset(self, endpoint_id):
        self.endpoint = webhooks.webhook_endpoint_get(
            actor=self.actor, public_id=endpoint_id, tag=AuditTag.WEBHOOK_DELIVERIES_LISTED
        )
        return webhooks.webhook_deliveries_of(endpoint=self.endpoint)

    def page_audit(self, page, *, filters, endpoint_id):
        webhooks.webhook_deliveries_page_audit(actor=self.actor, endpoint=self.endpoint, page=page)
