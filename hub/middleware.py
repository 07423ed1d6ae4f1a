"""Give every request an id that audit rows and error bodies carry."""

import re
import uuid
from contextvars import ContextVar

# What a client may send as its own X-Request-Id: printable ASCII without spaces, bounded.
CLIENT_REQUEST_ID_MAX_LENGTH = 64
_CLIENT_ID = re.compile(rf"^[\x21-\x7e]{{1,{CLIENT_REQUEST_ID_MAX_LENGTH}}}$")

# The client's id for the request being served ("" if none or not acceptable). Audit rows
# read it from here so that every row written while serving the request carries it.
client_request_id: ContextVar[str] = ContextVar("client_request_id", default="")


def client_request_id_valid(offered: str) -> str:
    """The client's X-Request-Id if acceptable, else "" (dropped, never rejected)."""
    return offered if _CLIENT_ID.fullmatch(offered) else ""


class RequestIdMiddleware:
    """The hub's own id (uuid4) names the request in audit rows, logs and error bodies; a client
    cannot choose it, so no client can make its requests look like another's in the audit log.
    A client's X-Request-Id is kept apart (AuditEvent.client_request_id) for correlation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        request.client_request_id = client_request_id_valid(request.headers.get("X-Request-Id", ""))
        reset = client_request_id.set(request.client_request_id)
        try:
            response = self.get_response(request)
        finally:
            client_request_id.reset(reset)
        response["X-Request-Id"] = request.request_id
        return response


class DomainErrorPageMiddleware:
    """Render a domain error raised by a web page with its own status (404, 409…), never a 500.

    API views handle their errors in hub.exception_handler; only pages reach this. A page's
    PermissionDenied is answered here too: left to Django, it is logged with its traceback (and
    the refusal is already audited), where a refusal is one line, which Django logs for any 4xx.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied

        from hub.error_views import error_page, permission_denied
        from hub.errors import DomainError

        if isinstance(exception, DomainError):
            return error_page(request, exception.status_code, exception.message)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        return None
