"""The one URL map of the sharing API (mounted at /api/v1/ by hub/urls.py)."""

from django.urls import path

from sharing.bulk import api as bulk_api
from sharing.checks import api as checks_api
from sharing.disclosure import api as disclosure
from sharing.due_process import api as due_process
from sharing.feed import api as feed_api
from sharing.feedback import api as feedback_api
from sharing.outcomes import api as outcomes_api
from sharing.parcels import api as parcels_api
from sharing.reports import api as reports_api
from sharing.retention import api as retention_api
from sharing.sales_totals import api as sales_totals_api
from sharing.watchlists import api as watchlists

urlpatterns = [
    path("checks", checks_api.CheckRunApi.as_view(), name="check-run"),
    path("checks/batch", checks_api.CheckBatchApi.as_view(), name="check-batch"),
    path("feedback", feedback_api.FeedbackApi.as_view(), name="feedback"),
    path("parcel-events", parcels_api.ParcelEventsApi.as_view(), name="parcel-events"),
    path("feed-subscriptions", feed_api.FeedSubscriptionsApi.as_view(), name="feed-subscriptions"),
    path("feedback/sightings", feedback_api.SightingApi.as_view(), name="feedback-sightings"),
    path("sales-totals", sales_totals_api.SalesTotalsRequestsApi.as_view(), name="sales-totals"),
    path(
        "sales-totals/<uuid:request_id>",
        sales_totals_api.SalesTotalsRequestDetailApi.as_view(),
        name="sales-totals-detail",
    ),
    path("sales-totals-tasks", sales_totals_api.SalesTotalsTasksApi.as_view(), name="sales-totals-tasks"),
    path(
        "sales-totals-tasks/<uuid:task_id>",
        sales_totals_api.SalesTotalsTaskDetailApi.as_view(),
        name="sales-totals-task",
    ),
    path(
        "sales-totals-tasks/<uuid:task_id>/submit",
        sales_totals_api.SalesTotalsSubmitApi.as_view(),
        name="sales-totals-submit",
    ),
    path(
        "sales-totals-tasks/<uuid:task_id>/decline",
        sales_totals_api.SalesTotalsDeclineApi.as_view(),
        name="sales-totals-decline",
    ),
    path("reports", reports_api.ReportsApi.as_view(), name="reports"),
    path("reports/<uuid:report_id>", reports_api.ReportDetailApi.as_view(), name="report-detail"),
    path("reports/<uuid:report_id>/retract", reports_api.ReportRetractApi.as_view(), name="report-retract"),
    path("reports/<uuid:report_id>/accept", reports_api.ReportAcceptApi.as_view(), name="report-accept"),
    path("reports/<uuid:report_id>/reject", reports_api.ReportRejectApi.as_view(), name="report-reject"),
    path("review/reports", reports_api.ReviewQueueApi.as_view(), name="review-reports"),
    path("tokens/evaluate", checks_api.TokenEvaluateApi.as_view(), name="tokens-evaluate"),
    path("canaries", checks_api.CanaryPlantApi.as_view(), name="canaries"),
    path("disclosure-requests", disclosure.DisclosureRequestsApi.as_view(), name="disclosure-requests"),
    path(
        "disclosure-requests/<uuid:request_id>",
        disclosure.DisclosureDetailApi.as_view(),
        name="disclosure-detail",
    ),
    path(
        "disclosure-requests/<uuid:request_id>/approve",
        disclosure.DisclosureApproveApi.as_view(),
        name="disclosure-approve",
    ),
    path(
        "disclosure-requests/<uuid:request_id>/authority-approval",
        disclosure.DisclosureAuthorityApprovalApi.as_view(),
        name="disclosure-authority-approval",
    ),
    path(
        "disclosure-requests/<uuid:request_id>/reject",
        disclosure.DisclosureRejectApi.as_view(),
        name="disclosure-reject",
    ),
    path(
        "disclosure-requests/<uuid:request_id>/narrow",
        disclosure.DisclosureNarrowApi.as_view(),
        name="disclosure-narrow",
    ),
    path(
        "disclosure-requests/<uuid:request_id>/withdraw",
        disclosure.DisclosureWithdrawApi.as_view(),
        name="disclosure-withdraw",
    ),
    path(
        "disclosure-requests/<uuid:request_id>/package",
        disclosure.DisclosurePackageApi.as_view(),
        name="disclosure-package",
    ),
    path(
        "disclosure-requests/<uuid:request_id>/order-document",
        disclosure.DisclosureOrderDocumentApi.as_view(),
        name="disclosure-document",
    ),
    path("keys", disclosure.HubKeysApi.as_view(), name="hub-keys"),
    path("reports/<uuid:report_id>/renew", due_process.ReportRenewApi.as_view(), name="report-renew"),
    path("disputes", due_process.DisputesApi.as_view(), name="disputes"),
    path("disputes/<uuid:dispute_id>", due_process.DisputeDetailApi.as_view(), name="dispute-detail"),
    path("disputes/<uuid:dispute_id>/answer", due_process.DisputeAnswerApi.as_view(), name="dispute-answer"),
    path("disputes/<uuid:dispute_id>/decide", due_process.DisputeDecideApi.as_view(), name="dispute-decide"),
    path(
        "disputes/<uuid:dispute_id>/decide-urgently",
        due_process.DisputeDecideUrgentlyApi.as_view(),
        name="dispute-decide-urgently",
    ),
    path("disputes/<uuid:dispute_id>/pause", due_process.DisputePauseApi.as_view(), name="dispute-pause"),
    path("notifications", due_process.NotificationsApi.as_view(), name="notifications"),
    path("reputation", due_process.OwnReputationApi.as_view(), name="reputation-own"),
    path(
        "organisations/<uuid:organisation_id>/reputation",
        due_process.ReputationOverrideApi.as_view(),
        name="reputation-override",
    ),
    path(
        "organisations/<uuid:organisation_id>/reporting-suspension/lift",
        due_process.ReportingSuspensionLiftApi.as_view(),
        name="reporting-suspension-lift",
    ),
    path("reports/<uuid:report_id>/appeal", due_process.ReportAppealApi.as_view(), name="report-appeal"),
    path(
        "reports/<uuid:report_id>/appeal/decide",
        due_process.ReportAppealDecideApi.as_view(),
        name="report-appeal-decide",
    ),
    path("organisation/policy", due_process.PolicyApi.as_view(), name="organisation-policy"),
    path("outcomes", outcomes_api.OutcomesApi.as_view(), name="outcomes"),
    path("statistics", outcomes_api.StatisticsApi.as_view(), name="statistics"),
    path(
        "records-of-processing",
        retention_api.RecordsOfProcessingApi.as_view(),
        name="records-of-processing",
    ),
    path("watchlist", watchlists.WatchlistApi.as_view(), name="watchlist"),
    path("watchlist/<uuid:entry_id>", watchlists.WatchEntryApi.as_view(), name="watchlist-entry"),
    path("webhooks", watchlists.WebhooksApi.as_view(), name="webhooks"),
    path("webhooks/<uuid:endpoint_id>", watchlists.WebhookDetailApi.as_view(), name="webhook-detail"),
    path(
        "webhooks/<uuid:endpoint_id>/deliveries",
        watchlists.WebhookDeliveriesApi.as_view(),
        name="webhook-deliveries",
    ),
    path("bulk-checks", bulk_api.BulkChecksApi.as_view(), name="bulk-checks"),
    path("bulk-checks/<uuid:job_id>", bulk_api.BulkCheckDetailApi.as_view(), name="bulk-check-detail"),
    path("bulk-checks/<uuid:job_id>/cancel", bulk_api.BulkCheckCancelApi.as_view(), name="bulk-check-cancel"),
    path(
        "bulk-checks/<uuid:job_id>/results", bulk_api.BulkCheckResultsApi.as_view(), name="bulk-check-results"
    ),
]
