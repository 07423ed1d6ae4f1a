from django.urls import path

from accounts.admission import api

urlpatterns = [
    path("organisation-applications", api.ApplyApi.as_view(), name="organisation-apply"),
    path(
        "organisation-applications/<uuid:application_id>/documents",
        api.ApplicationDocumentsAddApi.as_view(),
        name="organisation-application-documents-add",
    ),
    path("review/organisation-applications", api.ApplicationsReviewApi.as_view(), name="review-applications"),
    path(
        "review/organisation-applications/<uuid:application_id>",
        api.ApplicationReviewDetailApi.as_view(),
        name="review-application-detail",
    ),
    path(
        "review/organisation-applications/<uuid:application_id>/verify",
        api.ApplicationVerifyApi.as_view(),
        name="review-application-verify",
    ),
    path(
        "review/organisation-applications/<uuid:application_id>/reject",
        api.ApplicationRejectApi.as_view(),
        name="review-application-reject",
    ),
    path(
        "review/organisation-applications/<uuid:application_id>/request-documents",
        api.ApplicationDocumentsRequestApi.as_view(),
        name="review-application-request-documents",
    ),
    path(
        "review/organisation-applications/<uuid:application_id>/documents/<uuid:document_id>",
        api.ApplicationDocumentApi.as_view(),
        name="review-application-document",
    ),
]
