"""One HTTP exchange with the hub: httpx without redirects, errors turned into HubError."""

from __future__ import annotations

import json
import urllib.parse

import httpx

from hubctl.errors import HubError

USER_AGENT = "hubctl/0.1"
MAX_RETRY_WAIT = 60  # seconds; a longer Retry-After is the caller's decision, not a silent stall


def http_client() -> httpx.Client:
    """The HTTP client of every hubctl request.

    Redirects are never followed: a client that follows them replays the Authorization header
    to wherever they point, so a 3xx is an error like any other non-2xx answer.
    """
    return httpx.Client(follow_redirects=False, headers={"User-Agent": USER_AGENT})


def checked_base_url(base_url: str) -> str:
    """An http(s) URL without a trailing slash; anything else (file:, ftp:) is refused."""
    parts = urllib.parse.urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("The hub URL must be an http:// or https:// URL, e.g. http://127.0.0.1:8000.")
    return base_url.strip().rstrip("/")


def exchange(
    client: httpx.Client, request: httpx.Request, timeout: float, base_url: str
) -> tuple[int, bytes]:
    """Send one request; return the status and body of a success, else raise HubError."""
    response = exchange_response(client, request, timeout, base_url)
    return response.status_code, response.content


def exchange_response(
    client: httpx.Client, request: httpx.Request, timeout: float, base_url: str
) -> httpx.Response:
    """Send one request; return the whole response of a success (its headers too), else raise HubError."""
    method, path = request.method, _path(request, base_url)
    # The timeout of this request alone (connect, read, write and pool), as build_request would set it.
    request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
    try:
        response = client.send(request, follow_redirects=False)
    except (httpx.RequestError, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        raise HubError(None, "connection_failed", f"Cannot reach the hub at {base_url}: {reason}") from None
    if not response.is_success:
        raise _http_error(response, method, path)
    return response


def json_answer(status: int, payload: bytes, method: str, path: str) -> dict:
    """Decode a successful answer; an empty one is {}."""
    if not payload.strip():
        return {}
    try:
        answer = json.loads(payload)
    except ValueError:
        raise HubError(
            status, "bad_response", f"{method} {path} answered with something that is not JSON."
        ) from None
    if not isinstance(answer, dict):
        raise HubError(status, "bad_response", f"{method} {path} answered with JSON that is not an object.")
    return answer


def worth_waiting(exc: HubError) -> bool:
    """Only a rate limit with a short, stated wait is retried automatically."""
    return exc.status == 429 and exc.retry_after is not None and 0 < exc.retry_after <= MAX_RETRY_WAIT


def hub_keys(base_url: str, *, timeout: float = 30) -> dict:
    """The hub's public keys (GET /api/v1/keys), asked without any API key."""
    path, base_url = "/api/v1/keys", checked_base_url(base_url)
    with http_client() as client:
        request = client.build_request("GET", base_url + path, headers={"Accept": "application/json"})
        status, payload = exchange(client, request, timeout, base_url)
    return json_answer(status, payload, "GET", path)


def hub_signing_key(base_url: str, *, timeout: float = 30) -> bytes:
    """The hub's Ed25519 public key (32 bytes), fetched from the hub."""
    key = hub_keys(base_url, timeout=timeout).get("signing_public_key")
    try:
        raw = bytes.fromhex(key) if isinstance(key, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise HubError(None, "bad_response", "The hub's keys answer holds no usable Ed25519 signing key.")
    return raw


def _path(request: httpx.Request, base_url: str) -> str:
    """The request's path as the caller named it (after the hub URL), for error messages."""
    url = str(request.url)
    return url.removeprefix(base_url) if url.startswith(base_url) else request.url.raw_path.decode("ascii")


def _http_error(response: httpx.Response, method: str, path: str) -> HubError:
    """A HubError from an error answer: the hub's error body when there is one."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    retry_after = _retry_after(response.headers.get("Retry-After"))
    if isinstance(body, dict) and "http_status" in body:  # a TAXII error message (the feed)
        given = body.get("details")
        details: dict = given if isinstance(given, dict) else {}
        return HubError(
            response.status_code,
            str(body.get("title") or "error"),
            str(body.get("description") or "Request failed."),
            details.get("fields") or None,
            retry_after,
            details.get("request_id"),
        )
    if not isinstance(error, dict):
        reason = response.reason_phrase or "error"
        return HubError(
            response.status_code, "http_error", f"{method} {path} failed: {reason}.", retry_after=retry_after
        )
    return HubError(
        response.status_code,
        str(error.get("code") or "error"),
        str(error.get("message") or "Request failed."),
        error.get("fields"),
        retry_after,
        body.get("request_id"),
    )


def _retry_after(header: str | None) -> int | None:
    """Retry-After in seconds; the HTTP-date form is not worth parsing for a CLI."""
    try:
        return int(header) if header is not None else None
    except ValueError:
        return None
