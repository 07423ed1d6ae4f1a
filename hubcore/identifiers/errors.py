"""The one error every normaliser raises; its message never carries the submitted value."""

from __future__ import annotations


class IdentifierInvalid(ValueError):
    """An identifier could not be normalised.

    ``message`` is a human sentence saying what is wrong. It MUST NEVER contain the
    submitted value or any part of it: raw personal data must not leak into API error
    bodies or logs. Raise with ``from None`` so no library exception is chained either.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
