from django.urls import include, path

from accounts.api import views

urlpatterns = [
    path("", include("accounts.admission.api_urls")),
    path("organisation", views.OwnOrganisationApi.as_view(), name="organisation-own"),
    path("organisation/encryption-key", views.EncryptionKeyApi.as_view(), name="organisation-encryption-key"),
    path("organisations", views.OrganisationsApi.as_view(), name="organisations"),
    path(
        "organisations/<uuid:organisation_id>/standing",
        views.OrganisationStandingApi.as_view(),
        name="organisation-standing",
    ),
    path("api-keys", views.ApiKeysApi.as_view(), name="api-keys"),
    path("api-keys/<uuid:key_id>/revoke", views.ApiKeyRevokeApi.as_view(), name="api-key-revoke"),
    path("audit", views.AuditEventsApi.as_view(), name="audit-events"),
    path("audit/checkpoints/latest", views.CheckpointLatestApi.as_view(), name="audit-checkpoint-latest"),
    path("audit/proofs/inclusion", views.InclusionProofApi.as_view(), name="audit-proof-inclusion"),
    path("audit/proofs/consistency", views.ConsistencyProofApi.as_view(), name="audit-proof-consistency"),
    path("alerts", views.AlertsApi.as_view(), name="alerts"),
    path("alerts/<uuid:alert_id>/acknowledge", views.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
    path("alerts/<uuid:alert_id>/resolve", views.AlertResolveApi.as_view(), name="alert-resolve"),
    path("", include("accounts.invitations.api_urls")),
]
