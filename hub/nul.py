"""NUL characters: PostgreSQL text cannot hold one, so every text input refuses them with a 400."""

from __future__ import annotations

NUL = "\x00"
NUL_MESSAGE = "NUL characters are not accepted."


def nul_path(data: object, path: str = "") -> str | None:
    """Where in decoded JSON (or any nest of dicts, lists and strings) the first NUL is, as a dotted path; else None."""
    if isinstance(data, str):
        return (path or "non_field_errors") if NUL in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            if NUL in str(key):
                return path or "non_field_errors"  # never echo a key that carries one
            found = nul_path(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = nul_path(value, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None
