"""The admission pages (hub/urls.py includes them)."""

from django.urls import path

from accounts.admission import web

urlpatterns = [
    path("join/", web.join, name="join"),
    path("join/<uuid:application_id>/documents", web.join_documents, name="join-documents"),
    path("operator/applications/", web.applications_queue, name="operator-applications"),
    path("operator/applications/<uuid:application_id>/", web.application_page, name="operator-application"),
    path(
        "operator/applications/<uuid:application_id>/documents/<uuid:document_id>",
        web.application_document,
        name="operator-application-document",
    ),
    path(
        "operator/applications/<uuid:application_id>/<str:action>",
        web.application_decide,
        name="operator-application-decide",
    ),
    path(
        "operator/organisations/<uuid:organisation_id>/<str:standing>",
        web.organisation_standing,
        name="operator-organisation-standing",
    ),
]
