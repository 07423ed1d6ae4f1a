"""API of court disclosure: requests, officers' decisions, the package, the hub's public keys."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.roles import Capability
from hub.keys import signing_key
from hubcore.packages import allowed_signers_line, package_download_form, raw_public, ssh_public_key
from sharing.crypto.tokens import hub_oprf_key
from sharing.disclosure import selectors
from sharing.disclosure.inputs import (
    AuthorityApprovalInput,
    DisclosureSubmitInput,
    NarrowInput,
    NarrowScopeInput,
    ReasonInput,
    authority_approval_validated,
    disclosure_submit_validated,
)
from sharing.disclosure.serializers import DisclosureDetailOutput, DisclosureOutput, HubKeysOutput
from sharing.disclosure.services import disclosure, disclosure_packages
from sharing.disclosure.services.order_document import disclosure_order_document_open


@extend_schema_view(
    get=extend_schema(
        responses={200: DisclosureOutput(many=True)},
        summary="Disclosure requests (your court's; all for officers)",
    )
)
class DisclosureRequestsApi(HubListApi):
    """GET lists the orders you may see; POST (courts) files one."""

    required_capability = {"GET": Capability.DISCLOSURE_READ, "POST": Capability.DISCLOSURE_REQUEST}
    match_revealing_methods = frozenset({"post"})  # the package tells which named identifiers are listed
    audit_object_type = "disclosure"
    output_serializer = DisclosureOutput

    def list_queryset(self):
        return selectors.disclosures_visible_to(actor=self.actor)

    def page_audit(self, page, *, filters):
        selectors.disclosures_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=DisclosureSubmitInput,
        examples=[
            OpenApiExample(
                "An order for one report's statement and evidence",
                request_only=True,
                value={
                    "case_number": "(2026) Hu 0115 Min Chu 1234",
                    "issuing_court": "Shanghai Pudong New Area People's Court",
                    "legal_basis": "CPL art. 67",
                    "deadline": "2030-09-30T17:00:00+08:00",
                    "scope": {
                        "reports": ["0b9c6a1e-4f7e-4a51-9d5e-0d3c2b1a9f88"],
                        "fields": ["statement", "evidence"],
                    },
                    "order_document": {"name": "order.pdf", "content_base64": "JVBERi0xLjcKJSBvcmRlcgo="},
                },
            )
        ],
        responses={201: DisclosureOutput},
        summary="File a court order for disclosure",
    )
    def post(self, request):
        created = disclosure_submit_validated(request.data, actor=self.actor)
        return Response(DisclosureOutput(created).data, status=status.HTTP_201_CREATED)


class DisclosureDetailApi(HubApiView):
    required_capability = Capability.DISCLOSURE_READ
    audit_object_type = "disclosure"

    @extend_schema(responses={200: DisclosureDetailOutput}, summary="One disclosure request and its state")
    def get(self, request, request_id):
        return Response(
            DisclosureDetailOutput(selectors.disclosure_read(actor=self.actor, public_id=request_id)).data
        )


class DisclosureApproveApi(HubApiView):
    required_capability = Capability.DISCLOSURE_APPROVE
    audit_object_type = "disclosure"

    @extend_schema(
        request=None,
        responses={200: DisclosureDetailOutput},
        summary="Approve (officers; two distinct ones approve an order)",
        description="An order from a court outside the data's jurisdiction is approved only once the "
        "competent authority's approval is recorded (POST .../authority-approval), by a third officer; "
        "until then the approval that would complete it is a 409.",
    )
    def post(self, request, request_id):
        found = selectors.disclosure_get(actor=self.actor, public_id=request_id)
        approved = disclosure.disclosure_approve(request=found, actor=self.actor)
        return Response(DisclosureDetailOutput(approved).data)


class DisclosureAuthorityApprovalApi(HubApiView):
    required_capability = Capability.DISCLOSURE_APPROVE
    audit_object_type = "disclosure"

    @extend_schema(
        request=AuthorityApprovalInput,
        examples=[
            OpenApiExample(
                "The Ministry of Justice's approval of a Hong Kong court's order",
                request_only=True,
                value={
                    "authority": "Ministry of Justice of the People's Republic of China",
                    "reference": "MOJ-JA-2026-0042",
                    "decided_on": "2026-11-20",
                    "document": {"name": "approval.pdf", "content_base64": "JVBERi0xLjcKJSBhcHByb3ZhbAo="},
                },
            )
        ],
        responses={201: DisclosureDetailOutput},
        summary="Record the competent authority's approval of a foreign court's order (officers; PIPL Art. 41)",
        description="Only for an order whose court is outside the data's jurisdiction, while it is open; "
        "recorded once, by a disclosure officer who does not approve the order. The document is sealed "
        "in the restricted tier.",
    )
    def post(self, request, request_id):
        found = selectors.disclosure_get(actor=self.actor, public_id=request_id)
        recorded = authority_approval_validated(request.data, request=found, actor=self.actor)
        return Response(DisclosureDetailOutput(recorded).data, status=status.HTTP_201_CREATED)


class DisclosureRejectApi(HubApiView):
    required_capability = Capability.DISCLOSURE_APPROVE
    audit_object_type = "disclosure"

    @extend_schema(
        request=ReasonInput,
        examples=[
            OpenApiExample(
                "An order that does not name the hub",
                request_only=True,
                value={"reason": "The order does not name the hub as the holder."},
            )
        ],
        responses={200: DisclosureOutput},
        summary="Reject with a reason (officers)",
    )
    def post(self, request, request_id):
        payload = ReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        found = selectors.disclosure_get(actor=self.actor, public_id=request_id)
        rejected = disclosure.disclosure_reject(
            request=found, reason=payload.validated_data["reason"], actor=self.actor
        )
        return Response(DisclosureOutput(rejected).data)


class DisclosureNarrowApi(HubApiView):
    required_capability = Capability.DISCLOSURE_APPROVE
    audit_object_type = "disclosure"

    @extend_schema(
        request=NarrowInput,
        examples=[
            OpenApiExample(
                "Identifiers only",
                request_only=True,
                value={"reason": "The order names identifiers only.", "scope": {"fields": ["identifiers"]}},
            )
        ],
        responses={200: DisclosureOutput},
        summary="Narrow the scope with a reason (officers)",
    )
    def post(self, request, request_id):
        payload = NarrowInput(data=request.data)
        payload.is_valid(raise_exception=True)
        scope = NarrowScopeInput(data=request.data["scope"])
        scope.is_valid(raise_exception=True)
        found = selectors.disclosure_get(actor=self.actor, public_id=request_id)
        narrowed = disclosure.disclosure_narrow(
            request=found,
            scope=scope.narrowed(disclosure.scope_of(found)),
            reason=payload.validated_data["reason"],
            actor=self.actor,
        )
        return Response(DisclosureOutput(narrowed).data)


class DisclosureWithdrawApi(HubApiView):
    required_capability = Capability.DISCLOSURE_REQUEST
    audit_object_type = "disclosure"

    @extend_schema(request=None, responses={200: DisclosureOutput}, summary="Withdraw your court's request")
    def post(self, request, request_id):
        found = selectors.disclosure_get(actor=self.actor, public_id=request_id)
        return Response(
            DisclosureOutput(disclosure.disclosure_withdraw(request=found, actor=self.actor)).data
        )


class DisclosurePackageApi(HubApiView):
    required_capability = Capability.DISCLOSURE_DOWNLOAD
    audit_object_type = "disclosure"

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            (200, "application/json"): OpenApiTypes.BINARY,
        },
        summary="Download the signed package, encrypted to your court's key (a bounded number of times)",
        description="Format 2 (docs/formats.md): an age file, disclosure-ID.zip.age. Packages built "
        "before format 2 stay JSON envelopes (format 1).",
    )
    def get(self, request, request_id):
        found = selectors.disclosure_get(actor=self.actor, public_id=request_id)
        envelope = disclosure_packages.disclosure_package_download(request=found, actor=self.actor)
        media_type, suffix = package_download_form(envelope)
        response = HttpResponse(envelope, content_type=media_type)
        response["Content-Disposition"] = f'attachment; filename="disclosure-{found.public_id}{suffix}"'
        return response


class DisclosureOrderDocumentApi(HubApiView):
    required_capability = Capability.DISCLOSURE_READ
    audit_object_type = "disclosure"

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
        },
        summary="The order's document (officers deciding it, and its court); each read is audited",
        description="A PDF as filed is answered as application/pdf; any other file as "
        "application/octet-stream. The read is a restricted-class audit event under the order.",
    )
    def get(self, request, request_id):
        found = selectors.disclosure_get(actor=self.actor, public_id=request_id)
        document = disclosure_order_document_open(request=found, actor=self.actor)
        response = HttpResponse(document.content, content_type=document.media_type)
        response["Content-Disposition"] = document.disposition(found.public_id)
        response["Cache-Control"] = "no-store"
        return response


class HubKeysApi(APIView):
    """The hub's public keys; public by nature, so no authentication is needed."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: HubKeysOutput}, summary="The hub's public keys", auth=[])
    def get(self, request):
        return Response(
            {
                "signing_public_key": raw_public(signing_key().public_key()).hex(),
                "signing_algorithm": "Ed25519",
                "signing_ssh_public_key": ssh_public_key(raw_public(signing_key().public_key())),
                "package_allowed_signers": allowed_signers_line(raw_public(signing_key().public_key())),
                "oprf_suite": "ristretto255-SHA512 (RFC 9497, mode 0x00)",
                "oprf_key_version": hub_oprf_key().version,
            }
        )
