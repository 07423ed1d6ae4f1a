"""Thin API views: organisations apply (no sign-in, throttled per address); operator admins review."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.admission import selectors, services
from accounts.admission import serializers as s
from accounts.admission.api_support import document_response
from accounts.admission.inputs import DecisionInput, QueueFilterInput, applicant_from, documents_from_json
from accounts.admission.models import ApplicationState
from accounts.admission.throttle import ApplicationThrottle
from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.roles import Capability


class _PublicApi(APIView):
    """No key and no session: anyone may apply; each address only so often."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ApplicationThrottle]


class ApplyApi(_PublicApi):
    @extend_schema(
        request=s.ApplicationSubmitInput,
        responses={201: s.ApplicationReceiptOutput},
        auth=[],
        summary="Apply to join the hub (platforms, logistics firms, rights owners)",
        examples=[
            OpenApiExample(
                "A Chinese platform",
                request_only=True,
                value={
                    "legal_name": "Example Commerce Co., Ltd.",
                    "kind": "platform",
                    "country": "CN",
                    "registration_number": "91110000600037341L",
                    "contact_name": "Li Wei",
                    "contact_email": "compliance@example.com",
                    "terms_version": "2026-11",
                    "accept_terms": True,
                    "documents": [
                        {
                            "name": "licence.pdf",
                            "content_type": "application/pdf",
                            "content_base64": "JVBERi0xLjc=",
                        }
                    ],
                },
            )
        ],
    )
    def post(self, request):
        payload = s.ApplicationSubmitInput(data=request.data)
        payload.is_valid(raise_exception=True)
        application, secret = services.application_submit(
            applicant=applicant_from(payload.validated_data),
            documents=documents_from_json(payload.validated_data["documents"]),
            request_id=getattr(request, "request_id", ""),
        )
        application.upload_secret = secret
        return Response(s.ApplicationReceiptOutput(application).data, status=status.HTTP_201_CREATED)


class ApplicationDocumentsAddApi(_PublicApi):
    @extend_schema(
        request=s.ApplicationDocumentsAddInput,
        responses={200: s.ApplicationStatusOutput},
        auth=[],
        summary="Add verification documents to your application (with its one-time secret)",
        examples=[
            OpenApiExample(
                "The registration certificate, as asked",
                request_only=True,
                value={
                    "secret": "the-one-time-secret-from-your-application-answer",
                    "documents": [
                        {
                            "name": "registration-certificate.pdf",
                            "content_type": "application/pdf",
                            "content_base64": "JVBERi0xLjc=",
                        }
                    ],
                },
            )
        ],
    )
    def post(self, request, application_id):
        payload = s.ApplicationDocumentsAddInput(data=request.data)
        payload.is_valid(raise_exception=True)
        request_id = getattr(request, "request_id", "")
        application = services.application_upload_authorised(
            public_id=application_id, secret=payload.validated_data["secret"], request_id=request_id
        )
        application = services.application_documents_add(
            application=application,
            documents=documents_from_json(payload.validated_data["documents"]),
            request_id=request_id,
        )
        return Response(s.ApplicationStatusOutput(application).data)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=ApplicationState.values, description="only this state")
        ],
        responses={200: s.ApplicationOutput(many=True)},
        summary="The applications queue, oldest first (operator admins)",
    )
)
class ApplicationsReviewApi(HubListApi):
    required_capability = Capability.ORGANISATION_ADMIN
    audit_object_type = "application"
    output_serializer = s.ApplicationOutput

    def list_queryset(self):
        query = QueueFilterInput(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        self._filters = {k: v for k, v in query.validated_data.items() if v}
        return selectors.applications_queue(actor=self.actor, state=query.validated_data.get("state", ""))

    def page_audit(self, page, *, filters):
        selectors.applications_page_audit(actor=self.actor, page=page, filters=self._filters)


class ApplicationReviewDetailApi(HubApiView):
    required_capability = Capability.ORGANISATION_ADMIN
    audit_object_type = "application"

    @extend_schema(responses={200: s.ApplicationOutput}, summary="One application (operator admins)")
    def get(self, request, application_id):
        application = selectors.application_read(actor=self.actor, public_id=application_id)
        return Response(s.ApplicationOutput(application).data)


class _DecisionApi(HubApiView):
    required_capability = Capability.ORGANISATION_ADMIN
    audit_object_type = "application"

    def decide(self, request, application_id, decision):
        payload = DecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.application_get(actor=self.actor, public_id=application_id)
        decision(application=application, reason=payload.validated_data["reason"], actor=self.actor)
        return Response(s.ApplicationOutput(application).data)


class ApplicationVerifyApi(_DecisionApi):
    @extend_schema(
        request=DecisionInput,
        responses={200: s.ApplicationOutput},
        summary="Verify an application: the organisation is admitted, verified (operator admins)",
        examples=[
            OpenApiExample(
                "Documents match the register",
                request_only=True,
                value={"reason": "Licence and USCC match the national enterprise credit register."},
            )
        ],
    )
    def post(self, request, application_id):
        return self.decide(request, application_id, services.application_verify)


class ApplicationRejectApi(_DecisionApi):
    @extend_schema(
        request=DecisionInput,
        responses={200: s.ApplicationOutput},
        summary="Reject an application with a reason",
        examples=[
            OpenApiExample(
                "Not a business",
                request_only=True,
                value={"reason": "The registration number belongs to a different company."},
            )
        ],
    )
    def post(self, request, application_id):
        return self.decide(request, application_id, services.application_reject)


class ApplicationDocumentsRequestApi(_DecisionApi):
    @extend_schema(
        request=DecisionInput,
        responses={200: s.ApplicationOutput},
        summary="Ask the applicant for more documents (they get a one-time upload link)",
        examples=[
            OpenApiExample(
                "Licence unreadable",
                request_only=True,
                value={"reason": "The business licence scan is unreadable; please upload a clearer copy."},
            )
        ],
    )
    def post(self, request, application_id):
        return self.decide(request, application_id, services.application_documents_request)


class ApplicationDocumentApi(HubApiView):
    required_capability = Capability.ORGANISATION_ADMIN
    audit_object_type = "applicationdocument"

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Open a verification document (restricted; audited under admission review)",
    )
    def get(self, request, application_id, document_id):
        document = selectors.application_document_get(
            actor=self.actor, application_id=application_id, document_id=document_id
        )
        content = services.application_document_open(document=document, actor=self.actor)
        return document_response(document, content)
