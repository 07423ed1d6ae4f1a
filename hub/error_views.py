"""Django's error views (handler400/403/404/500), answering the API's JSON error envelope under /api/.

Errors raised inside a DRF view are shaped by hub.exception_handler. These views catch
the rest: a path no route matches (a non-UUID id where a UUID is expected), a request
refused before any view (a disallowed host), and a crash DRF did not handle. Pages get the
hub's styled error page (templates/error.html) with its navigation, never echoing the path.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import defaults

logger = logging.getLogger(__name__)

# The machine-facing paths: the JSON API and the TAXII feed. Keys, not sessions; JSON errors, not pages.
API_PREFIXES = ("/api/", "/taxii2/")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def is_api_request(request: HttpRequest) -> bool:
    return is_api_path(request.path_info)


def api_error_response(
    request: HttpRequest, *, status: int, code: str, message: str, fields: dict | None = None
) -> JsonResponse:
    """The hub's error envelope, {"error": {"code", "message", "fields"?}, "request_id"}, as a plain Django response."""
    error: dict = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return JsonResponse({"error": error, "request_id": getattr(request, "request_id", None)}, status=status)


BAD_REQUEST = _("The request cannot be processed.")
SERVER_ERROR = _("The hub failed to answer; the request id lets the operator find out why.")

PAGE_ERRORS = {
    400: (_("Bad request"), BAD_REQUEST),
    403: (_("Forbidden"), _("Your role does not give access to this page.")),
    404: (_("Page not found"), _("There is no page at this address.")),
    500: (_("Something went wrong"), SERVER_ERROR),
}


def error_page(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse:
    """The styled error page with the hub's navigation."""
    title, default_message = PAGE_ERRORS.get(status, (_("Error"), ""))
    context = {"title": title, "message": message or default_message, "status": status}
    return render(request, "error.html", context, status=status)


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if is_api_request(request):
        return api_error_response(request, status=400, code="bad_request", message=str(BAD_REQUEST))
    return error_page(request, 400)


def permission_denied(request, exception, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    if is_api_request(request):
        return api_error_response(
            request,
            status=403,
            code="permission_denied",
            message=str(_("You do not have permission to perform this action.")),
        )
    return error_page(request, 403)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if is_api_request(request):
        # The resolver's message would quote the path; a path can carry an identifier.
        return api_error_response(
            request,
            status=404,
            code="not_found",
            message=str(_("No such resource: check the path (ids are UUIDs).")),
        )
    return error_page(request, 404)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if is_api_request(request):
        return api_error_response(
            request,
            status=500,
            code="server_error",
            message=str(SERVER_ERROR),
        )
    try:
        return error_page(request, 500)
    except Exception:
        # The page needs the session and the database; when they are what failed, Django's plain page.
        logger.exception("the styled 500 page failed to render")
        return defaults.server_error(request, template_name)
