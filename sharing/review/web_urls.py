"""The operator reviewers' pages: pending reports, disputes, canaries (hub/urls.py includes them)."""

from django.urls import path

from sharing.review import web_canaries, web_disputes, web_reports

urlpatterns = [
    path("review/reports/", web_reports.review_queue, name="reviewer-reports"),
    path("review/reports/<uuid:report_id>/", web_reports.review_report, name="reviewer-report"),
    path(
        "review/reports/<uuid:report_id>/evidence/<int:index>",
        web_reports.review_evidence,
        name="reviewer-report-evidence",
    ),
    path("review/reports/<uuid:report_id>/accept", web_reports.review_accept, name="reviewer-report-accept"),
    path("review/reports/<uuid:report_id>/reject", web_reports.review_reject, name="reviewer-report-reject"),
    path("review/disputes/", web_disputes.dispute_queue, name="reviewer-disputes"),
    path("review/disputes/<uuid:dispute_id>/", web_disputes.dispute_page, name="reviewer-dispute"),
    path(
        "review/disputes/<uuid:dispute_id>/decide",
        web_disputes.dispute_decide,
        name="reviewer-dispute-decide",
    ),
    path(
        "review/disputes/<uuid:dispute_id>/decide-urgently",
        web_disputes.dispute_decide,
        {"urgent": True},
        name="reviewer-dispute-decide-urgently",
    ),
    path(
        "review/disputes/<uuid:dispute_id>/documents/<uuid:record_id>",
        web_disputes.dispute_document,
        name="reviewer-dispute-document",
    ),
    path("review/canaries/", web_canaries.canaries_page, name="reviewer-canaries"),
]
