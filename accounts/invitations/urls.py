from django.urls import path

from accounts.invitations import web

urlpatterns = [
    path("organisation/members/", web.members, name="members-page"),
    path(
        "organisation/members/<uuid:member_id>/deactivate",
        web.member_deactivate,
        name="member-deactivate-page",
    ),
    path(
        "organisation/members/<uuid:member_id>/reactivate",
        web.member_reactivate,
        name="member-reactivate-page",
    ),
    path(
        "organisation/invitations/<uuid:invitation_id>/revoke",
        web.invitation_revoke,
        name="invitation-revoke-page",
    ),
    path("organisation/api-keys/", web.organisation_api_keys, name="organisation-api-keys"),
    path("invitations/accept/", web.accept, name="invitation-accept"),
    path("invitations/accept/<str:token>/", web.accept_link, name="invitation-accept-link"),
    path("account/api-keys/", web.api_keys, name="api-keys-page"),
    path("account/api-keys/<uuid:key_id>/revoke", web.api_key_revoke, name="api-key-revoke-page"),
]
