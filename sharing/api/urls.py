from django.urls import path

from sharing.api import disclosure, views

urlpatterns = [
    path("checks", views.CheckRunApi.as_view(), name="check-run"),
    path("reports", views.ReportsApi.as_view(), name="reports"),
    path("reports/<uuid:report_id>", views.ReportDetailApi.as_view(), name="report-detail"),
    path("reports/<uuid:report_id>/retract", views.ReportRetractApi.as_view(), name="report-retract"),
    path("reports/<uuid:report_id>/accept", views.ReportAcceptApi.as_view(), name="report-accept"),
    path("reports/<uuid:report_id>/reject", views.ReportRejectApi.as_view(), name="report-reject"),
    path("review/reports", views.ReviewQueueApi.as_view(), name="review-reports"),
    path("tokens/evaluate", views.TokenEvaluateApi.as_view(), name="tokens-evaluate"),
    path("canaries", views.CanaryPlantApi.as_view(), name="canaries"),
    path("disclosure-requests", disclosure.DisclosureRequestsApi.as_view(), name="disclosure-requests"),
    path("disclosure-requests/<uuid:request_id>", disclosure.DisclosureDetailApi.as_view(), name="disclosure-detail"),
    path("disclosure-requests/<uuid:request_id>/approve", disclosure.DisclosureApproveApi.as_view(), name="disclosure-approve"),
    path("disclosure-requests/<uuid:request_id>/reject", disclosure.DisclosureRejectApi.as_view(), name="disclosure-reject"),
    path("disclosure-requests/<uuid:request_id>/narrow", disclosure.DisclosureNarrowApi.as_view(), name="disclosure-narrow"),
    path("disclosure-requests/<uuid:request_id>/withdraw", disclosure.DisclosureWithdrawApi.as_view(), name="disclosure-withdraw"),
    path("disclosure-requests/<uuid:request_id>/package", disclosure.DisclosurePackageApi.as_view(), name="disclosure-package"),
    path("keys", disclosure.HubKeysApi.as_view(), name="hub-keys"),
]
