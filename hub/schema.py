"""The OpenAPI schema's error answers: every operation declares the errors it can give, in the
one envelope hub/exception_handler.py renders.

drf-spectacular declares only what views name; the error statuses follow from what an operation
has (a body, query parameters, path ids, authentication), so a hook adds them to every operation
rather than each view repeating them. tests/test_openapi_conformance.py holds answers to them.
"""

from __future__ import annotations

ERROR_ENVELOPE = "ErrorEnvelope"

_ENVELOPE_SCHEMA = {
    "type": "object",
    "description": "Every API error: a code, a message, and for invalid input a message list per field.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                # Field name → messages; nested inputs nest (a list of objects for a list of inputs).
                "fields": {"type": "object", "additionalProperties": {}},
            },
            "required": ["code", "message"],
        },
        # The hub's own id of the request (also the X-Request-Id header): a uuid4 as 32 hex digits.
        "request_id": {"type": "string", "pattern": "^[0-9a-f]{32}$", "nullable": True},
    },
    "required": ["error", "request_id"],
}

_DESCRIPTIONS = {
    "400": "Invalid input: `fields` names each field and why.",
    "401": "No valid API key or session.",
    "403": "Your organisation or role may not do this, or the organisation is not in good standing.",
    "404": "Not found, or not yours to see.",
    "409": "The object's state or a deadline does not allow this now, or a unique value is taken.",
    "413": "The body is larger than the hub accepts.",
    "429": "Over quota: `Retry-After` says when to try again.",
}

_RETRY_AFTER = {
    "schema": {"type": "integer", "minimum": 1},
    "description": "Seconds until the quota has room again (absent when waiting alone will not help, e.g. "
    "a bulk file over the row limit).",
}


def _error_statuses(method: str, operation: dict, match_revealing: bool) -> list[str]:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses = []
    if has_body or any(p["in"] == "query" for p in parameters):
        statuses.append("400")
    if operation.get("security"):  # absent on the public routes (auth=[])
        statuses += ["401", "403"]
    if any(p["in"] == "path" for p in parameters):
        statuses.append("404")
    if method != "get":
        statuses.append("409")
    if has_body:
        statuses.append("413")
    if match_revealing:
        statuses.append("429")
    return statuses


def declare_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: add the error envelope and each operation's error answers."""
    match_revealing = {  # these take a quota (sharing/checks/services/match_gate.py), hence 429
        (path, method.lower())
        for path, _regex, method, callback in generator.endpoints
        if method.lower() in getattr(getattr(callback, "cls", None), "match_revealing_methods", ())
        or method.lower() in getattr(getattr(callback, "cls", None), "quota_methods", ())
    }
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_ENVELOPE] = _ENVELOPE_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_ENVELOPE}"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status in _error_statuses(method, operation, (path, method) in match_revealing):
                answer = operation["responses"].setdefault(
                    status,
                    {
                        "content": {"application/json": {"schema": reference}},
                        "description": _DESCRIPTIONS[status],
                    },
                )
                if status == "429":
                    answer.setdefault("headers", {}).setdefault("Retry-After", _RETRY_AFTER)
    return result
