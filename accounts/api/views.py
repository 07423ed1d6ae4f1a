"""Thin API views for organisations, API keys and the audit log."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api import serializers as s
from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.audit import alerts, proofs
from accounts.audit.filters import AlertFilter, AuditEventFilter
from accounts.audit.inputs import AlertHandleInput
from accounts.audit.models import Alert, AlertStatus, AuditEvent
from accounts.roles import Capability


class OwnOrganisationApi(HubApiView):
    required_capability = Capability.ORGANISATION_READ
    audit_object_type = "organisation"

    @extend_schema(responses={200: s.OrganisationOutput}, summary="Your organisation")
    def get(self, request):
        organisation = selectors.organisation_read(
            actor=self.actor, public_id=self.actor.organisation.public_id
        )
        return Response(s.OrganisationOutput(organisation).data)


class EncryptionKeyApi(HubApiView):
    required_capability = Capability.ENCRYPTION_KEY_SET
    audit_object_type = "organisation"

    @extend_schema(
        request=s.EncryptionKeyInput,
        examples=[
            OpenApiExample(
                "An X25519 public key",
                request_only=True,
                value={"public_key": "2f293ffc869e4a2af78e5ee7e29ea858b1a401c7413e05f9689aa43d0ae7dd0c"},
            )
        ],
        responses={200: s.OrganisationOutput},
        summary="Register your court's X25519 public key for disclosure packages",
    )
    def put(self, request):
        payload = s.EncryptionKeyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        organisation = services.organisation_set_encryption_key(
            public_key_hex=payload.validated_data["public_key"], actor=self.actor
        )
        return Response(s.OrganisationOutput(organisation).data)


@extend_schema_view(
    get=extend_schema(
        responses={200: s.OrganisationOutput(many=True)}, summary="All organisations (operators)"
    )
)
class OrganisationsApi(HubListApi):
    """Operator administrators list and admit organisations."""

    required_capability = Capability.ORGANISATION_ADMIN
    audit_object_type = "organisation"
    output_serializer = s.OrganisationOutput

    def list_queryset(self):
        return selectors.organisations_all()

    def page_audit(self, page, *, filters):
        selectors.organisations_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=s.OrganisationCreateInput,
        responses={201: s.OrganisationOutput},
        summary="Admit an organisation",
        examples=[
            OpenApiExample(
                "A courier",
                request_only=True,
                value={"name": "Speedy Logistics", "kind": "logistics", "country": "CN"},
            ),
            OpenApiExample(
                "A customs authority receiving data in Hong Kong",
                request_only=True,
                value={
                    "name": "Customs and Excise Department",
                    "kind": "customs",
                    "country": "HK",
                    "jurisdiction": "HK",
                },
            ),
        ],
    )
    def post(self, request):
        payload = s.OrganisationCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        organisation = services.organisation_create(**payload.validated_data, actor=self.actor)
        return Response(s.OrganisationOutput(organisation).data, status=status.HTTP_201_CREATED)


class OrganisationStandingApi(HubApiView):
    required_capability = Capability.ORGANISATION_ADMIN
    audit_object_type = "organisation"

    @extend_schema(
        request=s.OrganisationStandingInput,
        examples=[
            OpenApiExample("Verified", request_only=True, value={"verified": True, "suspended": False})
        ],
        responses={200: s.OrganisationOutput},
        summary="Verify, suspend or reinstate an organisation",
    )
    def post(self, request, organisation_id):
        payload = s.OrganisationStandingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        organisation = selectors.organisation_get(actor=self.actor, public_id=organisation_id)
        organisation = services.organisation_set_standing(
            organisation=organisation, **payload.validated_data, actor=self.actor
        )
        return Response(s.OrganisationOutput(organisation).data)


@extend_schema_view(
    get=extend_schema(
        responses={200: s.ApiKeyOutput(many=True)}, summary="Your API keys (an admin: the organisation's)"
    )
)
class ApiKeysApi(HubListApi):
    """GET lists the keys you may see (an admin: the organisation's); POST issues one to yourself (shown once)."""

    required_capability = Capability.APIKEY_MANAGE
    audit_object_type = "api_key"
    output_serializer = s.ApiKeyOutput

    def list_queryset(self):
        return selectors.api_keys_visible_to(actor=self.actor)

    def page_audit(self, page, *, filters):
        selectors.api_keys_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=s.ApiKeyIssueInput,
        examples=[
            OpenApiExample(
                "A key for a rotation script",
                request_only=True,
                value={"name": "key rotation", "scopes": ["keys"], "expires_in_days": 90},
            )
        ],
        responses={201: s.ApiKeyIssuedOutput},
        summary="Issue yourself an API key",
    )
    def post(self, request):
        payload = s.ApiKeyIssueInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        member = (
            selectors.member_of_organisation(actor=self.actor, public_id=data["member"])
            if "member" in data
            else self.actor.member
        )
        api_key, plaintext = services.api_key_issue(
            member=member,
            name=data["name"],
            scopes=data["scopes"],
            expires_in_days=data.get("expires_in_days"),
            actor=self.actor,
        )
        api_key.key = plaintext
        return Response(s.ApiKeyIssuedOutput(api_key).data, status=status.HTTP_201_CREATED)


class ApiKeyRevokeApi(HubApiView):
    required_capability = Capability.APIKEY_MANAGE
    audit_object_type = "api_key"

    @extend_schema(request=None, responses={200: s.ApiKeyOutput}, summary="Revoke an API key")
    def post(self, request, key_id):
        api_key = selectors.api_key_get(actor=self.actor, public_id=key_id)
        return Response(s.ApiKeyOutput(services.api_key_revoke(api_key=api_key, actor=self.actor)).data)


@extend_schema_view(
    get=extend_schema(
        responses={200: s.AuditEventOutput(many=True)},
        filters=True,
        summary="The audit log (operators, auditors)",
    )
)
class AuditEventsApi(HubListApi):
    required_capability = Capability.AUDIT_READ
    audit_object_type = "audit_event"
    output_serializer = s.AuditEventOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter
    # Names the model for the schema's filter parameters; the rows come from the selector below.
    queryset = AuditEvent.objects.none()

    def list_queryset(self):
        return selectors.audit_events()

    def page_audit(self, page, *, filters):
        selectors.audit_page_audit(actor=self.actor, page=page, filters=filters)


@extend_schema_view(
    get=extend_schema(
        responses={200: s.AlertOutput(many=True)}, filters=True, summary="Alerts (operators, auditors)"
    )
)
class AlertsApi(HubListApi):
    required_capability = Capability.AUDIT_READ
    audit_object_type = "alert"
    output_serializer = s.AlertOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = AlertFilter
    # Names the model for the schema's filter parameters; the rows come from the selector below.
    queryset = Alert.objects.none()

    def list_queryset(self):
        return alerts.alerts_visible_to(actor=self.actor)

    def page_audit(self, page, *, filters):
        selectors.alerts_page_audit(actor=self.actor, page=page)


class _AlertHandleApi(HubApiView):
    required_capability = Capability.ALERT_HANDLE
    audit_object_type = "alert"
    new_status: AlertStatus

    def post(self, request, alert_id):
        payload = AlertHandleInput(data=request.data)
        payload.is_valid(raise_exception=True)
        alert = alerts.alert_get(actor=self.actor, public_id=alert_id, status=self.new_status)
        alert = alerts.alert_handle(
            alert=alert, status=self.new_status, reason=payload.validated_data["reason"], actor=self.actor
        )
        return Response(s.AlertOutput(alert).data)


class AlertAcknowledgeApi(_AlertHandleApi):
    new_status = AlertStatus.ACKNOWLEDGED

    @extend_schema(
        request=AlertHandleInput,
        examples=[
            OpenApiExample(
                "Looking into it", request_only=True, value={"reason": "Looking into it with the member."}
            )
        ],
        responses={200: s.AlertOutput},
        summary="Acknowledge an alert",
    )
    def post(self, request, alert_id):
        return super().post(request, alert_id)


class AlertResolveApi(_AlertHandleApi):
    new_status = AlertStatus.RESOLVED

    @extend_schema(
        request=AlertHandleInput,
        examples=[
            OpenApiExample(
                "Benign", request_only=True, value={"reason": "Benign: a member's bulk onboarding."}
            )
        ],
        responses={200: s.AlertOutput},
        summary="Resolve an alert",
    )
    def post(self, request, alert_id):
        return super().post(request, alert_id)


class CheckpointLatestApi(HubApiView):
    required_capability = Capability.AUDIT_READ
    audit_object_type = "checkpoint"

    @extend_schema(
        responses={200: s.CheckpointOutput}, summary="The latest signed checkpoint of the audit log"
    )
    def get(self, request):
        checkpoint = proofs.checkpoint_latest(actor=self.actor)
        origin = checkpoint.note.split("\n", 1)[0]
        return Response(
            {
                "origin": origin,
                "size": checkpoint.size,
                "root_hash": checkpoint.root_hash,
                "note": checkpoint.note,
            }
        )


class InclusionProofApi(HubApiView):
    required_capability = Capability.AUDIT_READ
    audit_object_type = "inclusion_proof"

    @extend_schema(
        parameters=[s.InclusionProofInput],
        responses={200: s.InclusionProofOutput},
        summary="RFC 9162 inclusion proof of event `index` (0-based) in the tree of size `size`",
    )
    def get(self, request):
        query = s.InclusionProofInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        leaf, path = proofs.inclusion_proof_for(actor=self.actor, **query.validated_data)
        return Response({"leaf_hash": leaf.hex(), "path": [h.hex() for h in path]})


class ConsistencyProofApi(HubApiView):
    required_capability = Capability.AUDIT_READ
    audit_object_type = "consistency_proof"

    @extend_schema(
        parameters=[s.ConsistencyProofInput],
        responses={200: s.ConsistencyProofOutput},
        summary="RFC 9162 consistency proof between tree sizes `first` and `second`",
    )
    def get(self, request):
        query = s.ConsistencyProofInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        path = proofs.consistency_proof_for(actor=self.actor, **query.validated_data)
        return Response({"path": [h.hex() for h in path]})
