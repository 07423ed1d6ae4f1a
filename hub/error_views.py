"""Django's error views (handler400/403/404/500), answering the API's JSON error envelope under /api/.

Errors raised inside a DRF view are shaped by hub.exception_handler. These views catch
the rest: a path no route matches (a non-UUID id where a UUID is expected), a request
refused before any view (a disallowed host), and a crash DRF did not handle. Pages get the
hub's styled error page (templates/error.html) with its navigation, never echoing the path.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
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
# A database that went away or gave up on a statement: nothing was saved, and the same request may be sent again.
DATABASE_UNAVAILABLE = _("The database is unavailable for a moment. Try again.")

PAGE_ERRORS = {
    400: (_("Bad request"), BAD_REQUEST),
    403: (_("Forbidden"), _("Your role does not give access to this page.")),
    404: (_("Page not found"), _("There is no page at this address.")),
    500: (_("Something went wrong"), SERVER_ERROR),
    503: (_("Try again in a moment"), DATABASE_UNAVAILABLE),
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
    # Django calls this inside its `except`: the exception being handled is the one that failed the request.
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return database_unavailable(request)
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


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 and Retry-After for a database that went away or gave up on a statement, wherever it failed
    (a view, a middleware reading the session); DRF views answer it in hub.exception_handler."""
    if is_api_request(request):
        response: HttpResponse = api_error_response(
            request, status=503, code="database_unavailable", message=str(DATABASE_UNAVAILABLE)
        )
    else:
        try:
            response = error_page(request, 503)
        except Exception:
            # The styled page reads the session, from the database that just failed.
            response = HttpResponse(
                str(DATABASE_UNAVAILABLE), status=503, content_type="text/plain; charset=utf-8"
            )
    response["Retry-After"] = "1"
    return response
