"""Give every request an id that audit rows and error bodies carry."""
import re
import uuid

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-Id", "")
        # A client-chosen id is kept only if it is harmless; it ends up in audit rows.
        request.request_id = offered if _CLIENT_ID.match(offered) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


class DomainErrorPageMiddleware:
    """Render a domain error raised by a web page with its own status (404, 409…), never a 500.

    API views handle their errors in hub.exception_handler; only pages reach this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from hub.errors import DomainError

        if isinstance(exception, DomainError):
            return render(request, "error.html", {"message": exception.message}, status=exception.status_code)
        return None
