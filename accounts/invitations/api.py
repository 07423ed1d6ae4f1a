"""Thin API views: invite, list and revoke invitations; list, deactivate and reactivate members."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.invitations import selectors, services
from accounts.invitations import serializers as s
from accounts.invitations.inputs import InvitationCreateInput, MemberStandingReasonInput
from accounts.roles import Capability


@extend_schema_view(
    get=extend_schema(
        responses={200: s.InvitationOutput(many=True)}, summary="Your organisation's invitations"
    )
)
class InvitationsApi(HubListApi):
    required_capability = Capability.MEMBER_MANAGE
    audit_object_type = "invitation"
    output_serializer = s.InvitationOutput

    def list_queryset(self):
        return selectors.invitations_list(actor=self.actor)

    def page_audit(self, page, *, filters):
        selectors.invitations_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=InvitationCreateInput,
        responses={201: s.InvitationOutput},
        summary="Invite a person by email (the mail carries a one-time link)",
        examples=[
            OpenApiExample(
                "An analyst", request_only=True, value={"email": "new.analyst@example.com", "role": "analyst"}
            )
        ],
    )
    def post(self, request):
        payload = InvitationCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        organisation = (
            selectors.organisation_to_invite_into(actor=self.actor, public_id=data["organisation"])
            if "organisation" in data
            else None
        )
        invitation, _ = services.invitation_create(
            email=data["email"], role=data["role"], organisation=organisation, actor=self.actor
        )
        return Response(s.InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class InvitationRevokeApi(HubApiView):
    required_capability = Capability.MEMBER_MANAGE
    audit_object_type = "invitation"

    @extend_schema(request=None, responses={200: s.InvitationOutput}, summary="Revoke a pending invitation")
    def post(self, request, invitation_id):
        invitation = selectors.invitation_get(actor=self.actor, public_id=invitation_id)
        invitation = services.invitation_revoke(invitation=invitation, actor=self.actor)
        return Response(s.InvitationOutput(invitation).data)


@extend_schema_view(
    get=extend_schema(responses={200: s.MemberOutput(many=True)}, summary="Your organisation's members")
)
class MembersApi(HubListApi):
    required_capability = Capability.MEMBER_MANAGE
    audit_object_type = "member"
    output_serializer = s.MemberOutput

    def list_queryset(self):
        return selectors.members_of(actor=self.actor)

    def page_audit(self, page, *, filters):
        selectors.members_page_audit(actor=self.actor, page=page)


class _MemberStandingApi(HubApiView):
    required_capability = Capability.MEMBER_MANAGE
    audit_object_type = "member"

    def change(self, request, member_id, service):
        payload = MemberStandingReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        member = selectors.member_get(actor=self.actor, public_id=member_id)
        member = service(member=member, reason=payload.validated_data["reason"], actor=self.actor)
        return Response(s.MemberOutput(member).data)


class MemberDeactivateApi(_MemberStandingApi):
    @extend_schema(
        request=MemberStandingReasonInput,
        responses={200: s.MemberOutput},
        summary="Deactivate a member: their keys and sessions stop at once",
        examples=[OpenApiExample("Left", request_only=True, value={"reason": "left the company"})],
    )
    def post(self, request, member_id):
        return self.change(request, member_id, services.member_deactivate)


class MemberReactivateApi(_MemberStandingApi):
    @extend_schema(
        request=MemberStandingReasonInput,
        responses={200: s.MemberOutput},
        summary="Reactivate a member",
        examples=[OpenApiExample("Back", request_only=True, value={"reason": "back from leave"})],
    )
    def post(self, request, member_id):
        return self.change(request, member_id, services.member_reactivate)
