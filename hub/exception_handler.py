"""The one exception handler: every API error in one shape.

Every error body is {"error": {"code", "message", "fields"?}, "request_id"}; field
messages never echo a submitted value, so raw identifiers cannot leak through them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError, connections
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from hub.error_views import DATABASE_UNAVAILABLE
from hub.errors import DomainError
from hub.integrity import unique_violation_conflict
from hub.parsers import PayloadTooLargeError
from hub.uploads import UploadTooLargeError


def _request_id(context) -> str | None:
    request = context.get("request")
    return getattr(request, "request_id", None) if request is not None else None


def _error_body(code: str, message: str, fields, request_id) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error, "request_id": request_id}


def api_exception_handler(exc, context):
    """Render domain, validation, auth and parse errors in the hub's error shape."""
    request_id = _request_id(context)
    exc = unique_violation_conflict(exc) or exc
    if isinstance(exc, DomainError):
        body = _error_body(exc.code, str(exc.message), exc.fields, request_id)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database went away or gave up on a statement (a restart, a failover, a connection that
        # died unseen, a deadlock victim): nothing was committed, and the same request may be sent
        # again. The message names no statement and no value. The view's transaction (HubApiView) is
        # rolled back, not committed: its commit would fail the same way, past this handler.
        for database in connections.all(initialized_only=True):
            if database.in_atomic_block:
                database.set_rollback(True)
        body = _error_body("database_unavailable", str(DATABASE_UNAVAILABLE), None, request_id)
        return Response(body, status=503, headers={"Retry-After": "1"})
    if isinstance(exc, UploadTooLargeError):
        exc = PayloadTooLargeError(exc.message)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLargeError()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = _error_body("invalid", gettext("The request has invalid fields."), fields, request_id)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        if isinstance(exc, exceptions.APIException):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else code
        response.data = _error_body(code, str(detail), None, request_id)
    return response
