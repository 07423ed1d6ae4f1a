"""The errors hubctl raises; none of their messages ever carries an identifier value."""

from __future__ import annotations


class HubError(Exception):
    """The hub refused a request, answered something unusable, or could not be reached."""

    def __init__(
        self,
        status: int | None,
        code: str,
        message: str,
        fields: dict | list | None = None,
        retry_after: int | None = None,
        request_id: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.retry_after = retry_after
        self.request_id = request_id

    def field_messages(self) -> list[str]:
        """The hub's per-field messages as "dotted.path: message" lines."""
        return [f"{path}: {message}" if path else message for path, message in _flattened(self.fields, "")]

    def summary(self) -> str:
        """One line: HTTP status and code, then the hub's message."""
        where = f"HTTP {self.status} {self.code}" if self.status else self.code
        retry = f" (retry after {self.retry_after} s)" if self.retry_after else ""
        return f"{where}: {self.message}{retry}"

    def __str__(self) -> str:
        parts = [self.summary(), *self.field_messages()]
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return "; ".join(parts)


class IdentifierError(ValueError):
    """An identifier failed local validation; names its index and type, never its value."""

    def __init__(self, index: int | None, identifier_type: str | None, reason: str):
        self.index = index
        self.type = identifier_type
        self.reason = reason
        super().__init__(self._describe())

    def _describe(self) -> str:
        """ "identifiers[i] (type): reason", or the bare reason when no identifier is at fault."""
        if self.index is None:
            return self.reason
        kind = self.type or "unknown type"
        return f"identifiers[{self.index}] ({kind}): {self.reason}"


def _flattened(fields: object, prefix: str) -> list[tuple[str, str]]:
    """Walk DRF-style nested error fields down to (path, message) pairs."""
    if isinstance(fields, dict):
        pairs: list[tuple[str, str]] = []
        for key, value in fields.items():
            pairs += _flattened(value, f"{prefix}.{key}" if prefix else str(key))
        return pairs
    if isinstance(fields, list):
        # Messages share their field's path; nested errors of a list keep their index.
        return [
            pair
            for index, item in enumerate(fields)
            for pair in _flattened(
                item, _indexed(prefix, index) if isinstance(item, (dict, list)) else prefix
            )
        ]
    if fields is None:
        return []
    return [(prefix, str(fields))]


def _indexed(prefix: str, index: int) -> str:
    """The path of one element of a list of nested errors."""
    return f"{prefix}.{index}" if prefix else str(index)
