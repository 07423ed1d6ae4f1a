from django.urls import path

from sharing.api import views

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
]
