"""Domain errors: a rule of the domain refused an action. hub.exception_handler renders them."""

from __future__ import annotations

from http import HTTPStatus as status


class DomainError(Exception):
    """A rule of the domain refused the action; carries an HTTP status and a stable code."""

    status_code = status.BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields


class NotFoundError(DomainError):
    status_code = status.NOT_FOUND
    code = "not_found"


class ForbiddenError(DomainError):
    status_code = status.FORBIDDEN
    code = "permission_denied"


class ConflictError(DomainError):
    status_code = status.CONFLICT
    code = "conflict"


class TooManyRequestsError(DomainError):
    status_code = status.TOO_MANY_REQUESTS
    code = "rate_limited"
    retry_after: int | None = None
