from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts import web, web_audit
from sharing.bulk import web as web_bulk
from sharing.disclosure import web as sharing_web

# The docs pages are third-party templates: Swagger UI's script is served as a file (the split
# view) so script-src stays 'self'; both inject inline styles, allowed on these two pages only.
_docs_policy = csp_replace(settings.CSP_DOCS_DIRECTIVES)

urlpatterns = [
    # The API first: Django tries routes in order, and every check would otherwise walk the pages'
    # routes before reaching its own (no page route starts with api/v1/: tests/hub/test_urls_order.py).
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("sharing.urls")),
    path("", web.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=web.SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch: Django's set_language, POST only (it keeps the choice in a cookie and
    # returns to the page it came from, by its Referer: the form never echoes the page's path).
    path("i18n/setlang/", require_POST(set_language), name="set_language"),
    path("account/", include("accounts.two_factor.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.admission.urls")),
    path("", include("sharing.disclosure.web_urls")),
    path("disclosures/", sharing_web.disclosure_list, name="disclosure-list"),
    path("disclosures/new", sharing_web.disclosure_new, name="disclosure-new"),
    path("disclosures/<uuid:request_id>/", sharing_web.disclosure_page, name="disclosure-page"),
    path(
        "disclosures/<uuid:request_id>/package", sharing_web.disclosure_download, name="disclosure-download"
    ),
    path("bulk/", web_bulk.bulk_list, name="bulk-list"),
    path("bulk/<uuid:job_id>/", web_bulk.bulk_page, name="bulk-page"),
    path("bulk/<uuid:job_id>/cancel", web_bulk.bulk_cancel, name="bulk-cancel"),
    path("bulk/<uuid:job_id>/results.<str:file_format>", web_bulk.bulk_download, name="bulk-download"),
    path("", include("sharing.due_process.web.urls")),
    path("audit/", web_audit.audit_log, name="audit-log"),
    path("audit/events/<int:seq>/", web_audit.audit_event, name="audit-event"),
    path("audit/restricted/", web_audit.audit_restricted, name="audit-restricted"),
    path("audit/alerts/", web_audit.audit_alerts, name="audit-alerts"),
    path(
        "audit/alerts/<uuid:alert_id>/<str:action>", web_audit.audit_alert_handle, name="audit-alert-handle"
    ),
    path("audit/chart/", web_audit.audit_chart, name="audit-chart"),
    path("audit/checkpoints/", web_audit.audit_checkpoints, name="audit-checkpoints"),
    path("audit/export.jsonl", web_audit.audit_export, name="audit-export"),
    path("", include("accounts.invitations.urls")),
    path("", include("sharing.due_process.web_urls")),
    path("", include("sharing.review.web_urls")),
    path("", include("sharing.analyst.web_urls")),
    path("", include("sharing.outcomes.web_urls")),
    path("", include("sharing.parcels.web_urls")),
    path("", include("sharing.sales_totals.web_urls")),
    path("", include("sharing.transparency.web_urls")),
    path("", include("sharing.subject_access.web_urls")),
    path("taxii2/", include("sharing.feed.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", _docs_policy(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="docs"),
    path("api/v1/redoc/", _docs_policy(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
]

# Under /api/ every error Django answers itself is the API's JSON envelope (hub/error_views.py).
handler400 = "hub.error_views.bad_request"
handler403 = "hub.error_views.permission_denied"
handler404 = "hub.error_views.page_not_found"
handler500 = "hub.error_views.server_error"
