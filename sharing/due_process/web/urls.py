"""The rights owner's pages: reports, disputes to answer, standing (included once by hub/urls.py)."""

from django.urls import path

from sharing.due_process.web import pages as dispute_web
from sharing.reports.web import pages as web

urlpatterns = [
    path("reports/", web.report_list, name="report-list"),
    path("reports/new", web.report_new, name="report-new"),
    path("reports/new/more", web.report_new_more, name="report-new-more"),
    path("reports/identifiers/check", web.identifier_check, name="report-identifier-check"),
    path("reports/<uuid:report_id>/", web.report_page, name="report-page"),
    path("reports/<uuid:report_id>/renew", web.report_renew, name="report-page-renew"),
    path("reports/<uuid:report_id>/retract", web.report_retract, name="report-page-retract"),
    path("reports/<uuid:report_id>/appeal", dispute_web.report_appeal, name="report-page-appeal"),
    path("disputes/", dispute_web.dispute_list, name="owner-dispute-list"),
    path("disputes/<uuid:dispute_id>/", dispute_web.dispute_page, name="owner-dispute-page"),
    path("disputes/<uuid:dispute_id>/answer", dispute_web.dispute_answer, name="owner-dispute-answer"),
    path("standing/", dispute_web.standing, name="standing"),
]
