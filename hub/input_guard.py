"""Refuse NUL characters wherever a request carries text, and web uploads over their route's limit.

PostgreSQL text cannot hold a NUL, so a NUL that reached a query or an INSERT answered 500.
Rather than each view remembering it, a request carrying one anywhere a view might read it
(path, query string, headers and cookies, form field names and values) is refused here with a
400 in the hub's error shape. JSON bodies are checked by hub.parsers, bulk file rows by
sharing/bulk/services/bulk_files.py; DRF and Django form CharFields already refuse NUL.

Form bodies of web pages are parsed here too (before CsrfViewMiddleware reads them), under the
route's upload limit (hub/uploads.py), so an oversized upload gets a clear 413 page rather than
Django's bare 400. API views parse their own bodies through DRF and its exception handler.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from hub.error_views import api_error_response, is_api_path
from hub.nul import NUL, NUL_MESSAGE
from hub.uploads import UploadTooLargeError

TOO_LARGE_MESSAGE = gettext_lazy("The request is larger than the hub accepts.")


class InputGuardMiddleware:
    """Answer 400 to a NUL in the path, query string or headers, and guard web form bodies (see process_view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _nul_in_envelope(request)
        if where:
            return _refused(
                request,
                status=400,
                code="invalid",
                message=NUL_MESSAGE,
                field=where,
                api=is_api_path(request.path_info),
            )
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, view_args, view_kwargs) -> HttpResponse | None:
        """Parse a web page's form body under its upload limit and refuse NUL in its field names and values."""
        if request.method != "POST" or _is_api(view):
            return None
        try:
            # File names need no check: Django drops non-printable characters from them.
            where = _first_nul(request.POST.lists()) or _first_nul((name, []) for name in request.FILES)
        except (
            RequestDataTooBig
        ) as exc:  # an upload over its limit, or form fields over DATA_UPLOAD_MAX_MEMORY_SIZE
            message = exc.message if isinstance(exc, UploadTooLargeError) else str(TOO_LARGE_MESSAGE)
            return _refused(request, status=413, code="payload_too_large", message=message, api=False)
        if where:
            return _refused(request, status=400, code="invalid", message=NUL_MESSAGE, field=where, api=False)
        return None


def _nul_in_envelope(request: HttpRequest) -> str | None:
    if NUL in request.path_info:
        return "path"
    found = _first_nul(request.GET.lists())
    if found:
        return found
    headers = [
        (name, [value])
        for name, value in request.META.items()
        if name.startswith("HTTP_") and isinstance(value, str)
    ]
    return "headers" if _first_nul(headers) else None


def _first_nul(items: Iterable[tuple[str, list[str]]]) -> str | None:
    """The name of the first field whose name or values carry a NUL ("non_field_errors" if the name does)."""
    for name, values in items:
        if NUL in name:
            return "non_field_errors"
        if any(NUL in value for value in values if isinstance(value, str)):
            return name
    return None


def _is_api(view) -> bool:
    from rest_framework.views import (
        APIView,  # imported late: DRF's settings import hub.parsers, which imports hub.nul
    )

    view_class = getattr(view, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


def _refused(
    request: HttpRequest, *, status: int, code: str, message: str, api: bool, field: str | None = None
):
    if not api:
        return render(request, "error.html", {"message": message}, status=status)
    return api_error_response(
        request, status=status, code=code, message=message, fields={field: [message]} if field else None
    )
