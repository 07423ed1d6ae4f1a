"""The authenticated core every area of HubClient builds on: one API key, JSON calls, rate-limit retries."""

from __future__ import annotations

import base64
import json
import mimetypes
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

from hubctl.client.transport import checked_base_url, exchange, http_client, json_answer, worth_waiting
from hubctl.errors import HubError

T = TypeVar("T")


class ClientBase:
    """A member's connection to one hub, authenticated by one API key."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30, retries: int = 2):
        self.base_url = checked_base_url(base_url)
        if not api_key or any(c in api_key for c in "\r\n"):
            raise ValueError("The API key is empty or contains a line break.")
        self._api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self._http = http_client()
        self._organisation_country: str | None = None

    def __repr__(self) -> str:
        """Name the hub, never the key."""
        return f"{type(self).__name__}({self.base_url!r})"

    def _headers(self) -> dict[str, str]:
        """The headers of every authenticated request."""
        return {
            "Authorization": f"Bearer {self._api_key}",
            "Accept": "application/json",
        }

    def _build_request(self, method: str, path: str, body: dict | None) -> httpx.Request:
        """The exact request _send sends: URL, headers and JSON body."""
        headers = self._headers()
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return self._http.build_request(method, self.base_url + path, content=data, headers=headers)

    def _exchange(self, request: httpx.Request, *, timeout: float | None = None) -> tuple[int, bytes]:
        """Send a request built by this client; the status and body of a success."""
        return exchange(self._http, request, timeout or self.timeout, self.base_url)

    def _send(self, method: str, path: str, body: dict | None) -> dict:
        """Send one JSON request and return the JSON answer; raise HubError on any failure."""
        status, payload = self._exchange(self._build_request(method, path, body))
        return json_answer(status, payload, method, path)

    def _send_bytes(self, method: str, path: str, body: dict | None) -> bytes:
        """Send one request and return the answer's body as it is (a file); raise HubError on any failure."""
        status, payload = self._exchange(self._build_request(method, path, body))
        if not payload:
            raise HubError(status, "bad_response", f"{method} {path} answered with an empty body.")
        return payload

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        """_send, waiting out short rate limits (429 with Retry-After) up to `retries` times."""
        return self._retried(lambda: self._send(method, path, body))

    def _call_bytes(self, method: str, path: str, body: dict | None = None) -> bytes:
        """_send_bytes, waiting out short rate limits like _call."""
        return self._retried(lambda: self._send_bytes(method, path, body))

    def _retried(self, send: Callable[[], T]) -> T:
        """Run send, retrying after short rate limits (429 with Retry-After) up to `retries` times."""
        attempt = 0
        while True:
            try:
                return send()
            except HubError as exc:
                if attempt >= self.retries or not worth_waiting(exc):
                    raise
                attempt += 1
                time.sleep(exc.retry_after or 0)


def checked_uuid(value: str, what: str) -> uuid.UUID:
    """A UUID argument, or ValueError naming what it should identify."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError(f"The {what} id must be a UUID.") from None


def evidence_file(path: str | Path) -> dict:
    """A file as the hub takes it in a JSON body: file name, guessed content type, base64 content."""
    path = Path(path)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    content = base64.b64encode(path.read_bytes()).decode("ascii")
    return {"name": path.name, "content_type": content_type, "content_base64": content}
