"""API of watchlists and webhook endpoints: thin views over sharing/watchlists/services/{watchlists,webhooks}.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.audit.tags import AuditTag
from accounts.roles import Capability
from hub.pagination import HubPagination
from sharing.models import WatchEntry, WebhookEndpoint, WebhookOutbox
from sharing.subjects.inputs import identifiers_field, raw_identifiers
from sharing.watchlists.services import watchlists, webhooks


class WatchAddInput(serializers.Serializer):
    identifiers = identifiers_field()
    ref = serializers.CharField(
        max_length=200,
        help_text="Your own reference for the seller (an account id); "
        "sent back in events. Do not put identifiers in it.",
    )


class WatchEntryOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    type = serializers.CharField(source="identifier_type")

    class Meta:
        model = WatchEntry
        fields = ["id", "ref", "type", "created_at"]


class WatchAddOutput(serializers.Serializer):
    entries = WatchEntryOutput(many=True)


class WatchlistApi(HubApiView):
    """GET lists your organisation's watch entries; POST adds one seller's identifiers."""

    required_capability = Capability.WATCHLIST_MANAGE
    match_revealing_methods = frozenset(
        {"post"}
    )  # a standing check: its webhooks tell when the seller is listed
    audit_object_type = "watch_entry"
    pagination_class = HubPagination

    @extend_schema(responses={200: WatchEntryOutput(many=True)}, summary="Your organisation's watch entries")
    def get(self, request):
        paginator = HubPagination()
        page = paginator.paginate_queryset(watchlists.watch_entries_of(actor=self.actor), request, view=self)
        watchlists.watch_entries_page_audit(actor=self.actor, page=page)
        return paginator.get_paginated_response(WatchEntryOutput(page, many=True).data)

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
                },
            )
        ],
    )
    def post(self, request):
        payload = WatchAddInput(data=request.data)
        payload.is_valid(raise_exception=True)
        entries = watchlists.watchlist_add(
            identifiers=raw_identifiers(payload.validated_data["identifiers"]),
            ref=payload.validated_data["ref"],
            actor=self.actor,
        )
        return Response(
            {"entries": WatchEntryOutput(entries, many=True).data}, status=status.HTTP_201_CREATED
        )


class WatchEntryApi(HubApiView):
    required_capability = Capability.WATCHLIST_MANAGE
    audit_object_type = "watch_entry"

    @extend_schema(request=None, responses={204: None}, summary="Stop watching one entry")
    def delete(self, request, entry_id):
        watchlists.watch_entry_remove(public_id=entry_id, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRegisterInput(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000, help_text="https:// URL (http only to localhost outside production)"
    )


class WebhookEndpointOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "created_at"]


class WebhookRegisteredOutput(WebhookEndpointOutput):
    secret = serializers.CharField(help_text="The signing secret; shown only in this response")

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]


class WebhooksApi(HubApiView):
    """GET lists your organisation's webhook endpoints; POST registers one."""

    required_capability = Capability.WEBHOOK_MANAGE
    audit_object_type = "webhookendpoint"
    pagination_class = HubPagination

    @extend_schema(
        responses={200: WebhookEndpointOutput(many=True)}, summary="Your organisation's webhook endpoints"
    )
    def get(self, request):
        paginator = HubPagination()
        page = paginator.paginate_queryset(
            webhooks.webhook_endpoints_of(actor=self.actor), request, view=self
        )
        webhooks.webhook_endpoints_page_audit(actor=self.actor, page=page)
        return paginator.get_paginated_response(WebhookEndpointOutput(page, many=True).data)

    @extend_schema(
        request=WebhookRegisterInput,
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


class WebhookDeliveryOutput(serializers.ModelSerializer):
    event_id = serializers.UUIDField()
    type = serializers.CharField(source="event_type")

    class Meta:
        model = WebhookOutbox
        fields = [
            "event_id",
            "type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
        ]


class WebhookDeliveriesApi(HubApiView):
    required_capability = Capability.WEBHOOK_MANAGE
    audit_object_type = "webhookendpoint"
    pagination_class = HubPagination

    @extend_schema(
        responses={200: WebhookDeliveryOutput(many=True)}, summary="The delivery log of one endpoint"
    )
    def get(self, request, endpoint_id):
        endpoint = webhooks.webhook_endpoint_get(
            actor=self.actor, public_id=endpoint_id, tag=AuditTag.WEBHOOK_DELIVERIES_LISTED
        )
        paginator = HubPagination()
        page = paginator.paginate_queryset(
            webhooks.webhook_deliveries_of(endpoint=endpoint), request, view=self
        )
        webhooks.webhook_deliveries_page_audit(actor=self.actor, endpoint=endpoint, page=page)
        return paginator.get_paginated_response(WebhookDeliveryOutput(page, many=True).data)
