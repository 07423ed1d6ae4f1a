from django.urls import path

from accounts.invitations import api

urlpatterns = [
    path("invitations", api.InvitationsApi.as_view(), name="invitations"),
    path(
        "invitations/<uuid:invitation_id>/revoke", api.InvitationRevokeApi.as_view(), name="invitation-revoke"
    ),
    path("members", api.MembersApi.as_view(), name="members"),
    path("members/<uuid:member_id>/deactivate", api.MemberDeactivateApi.as_view(), name="member-deactivate"),
    path("members/<uuid:member_id>/reactivate", api.MemberReactivateApi.as_view(), name="member-reactivate"),
]
