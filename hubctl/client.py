"""HubClient: talk to the hub's JSON API and derive identifier tokens obliviously.

In the default tokens-only mode a raw identifier never leaves this process: it is
normalised and blinded here, the hub evaluates only the blinded element, and the
token is finalised here. Only ``raw=True`` sends raw values for the hub to tokenise.
"""
from __future__ import annotations

import base64
import http.client
import json
import mimetypes
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from hubctl.errors import HubError, IdentifierError
from sharing.crypto import oprf
from sharing.identifiers import Canonical, IdentifierInvalid, IdentifierType, normalise

__all__ = ["HubClient", "HubError", "IdentifierError", "hub_keys", "hub_signing_key", "token_input"]

USER_AGENT = "hubctl/0.1"
EVALUATE_PATH = "/api/v1/tokens/evaluate"
ELEMENT_HEX_LENGTH = 2 * oprf.ELEMENT_BYTES
MAX_RETRY_WAIT = 60  # seconds; a longer Retry-After is the caller's decision, not a silent stall
_COUNTRY = re.compile(r"[A-Za-z]{2}")
T = TypeVar("T")

# (type, value) or (type, value, country): what callers hand to tokenise, check and report.
IdentifierLike = Sequence[str | None]


@dataclass(frozen=True)
class _Item:
    type: str
    value: str
    country: str | None = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would replay the Authorization header to wherever they point."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 (urllib's signature)
        """None: urllib then raises the 3xx as an HTTPError."""
        return None


def token_input(canonical: Canonical) -> bytes:
    """The OPRF input of an identifier: type ‖ 0x00 ‖ canonical value, as the hub defines it."""
    return str(canonical.type.value).encode() + b"\x00" + canonical.value.encode("utf-8")


class HubClient:
    """A member's client of one hub, authenticated by one API key."""

    EVALUATE_BATCH = 1000  # the hub's limit of blinded elements per evaluate call

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30, retries: int = 2):
        self.base_url = _checked_base_url(base_url)
        if not api_key or any(c in api_key for c in "\r\n"):
            raise ValueError("The API key is empty or contains a line break.")
        self._api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self._opener = urllib.request.build_opener(_NoRedirects)
        self._organisation_country: str | None = None

    def __repr__(self) -> str:
        """Name the hub, never the key."""
        return f"HubClient({self.base_url!r})"

    # -- transport -----------------------------------------------------------------

    def _build_request(self, method: str, path: str, body: dict | None) -> urllib.request.Request:
        """The exact urllib request _send sends: URL, headers and JSON body."""
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json", "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)

    def _send(self, method: str, path: str, body: dict | None) -> dict:
        """Send one JSON request and return the JSON answer; raise HubError on any failure."""
        status, payload = _exchange(self._opener, self._build_request(method, path, body), self.timeout, self.base_url)
        return _json_answer(status, payload, method, path)

    def _send_bytes(self, method: str, path: str, body: dict | None) -> bytes:
        """Send one request and return the answer's body as it is (a file); raise HubError on any failure."""
        status, payload = _exchange(self._opener, self._build_request(method, path, body), self.timeout, self.base_url)
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
                if attempt >= self.retries or not _worth_waiting(exc):
                    raise
                attempt += 1
                time.sleep(exc.retry_after or 0)

    # -- the organisation and local validation -------------------------------------

    def organisation(self) -> dict:
        """Your organisation as the hub knows it (name, kind, country, ...)."""
        return self._call("GET", "/api/v1/organisation")

    def organisation_country(self) -> str | None:
        """Your organisation's country, fetched once: the hub's default for raw identifiers."""
        if self._organisation_country is None:
            self._organisation_country = self.organisation().get("country") or ""
        return self._organisation_country or None

    def canonicalise(self, identifiers: Iterable[IdentifierLike], *,
                     default_country: str | None = None) -> list[Canonical]:
        """Normalise every identifier locally, or raise IdentifierError for the first bad one."""
        items = _items(identifiers)
        country = self._default_country(items, default_country)
        return [_normalised(index, item, country) for index, item in enumerate(items)]

    def _default_country(self, items: list[_Item], explicit: str | None) -> str | None:
        """The explicit default, else the organisation's: the hub normalises raw values with it."""
        if explicit:
            if not _COUNTRY.fullmatch(explicit.strip()):
                raise IdentifierError(None, None, "The country must be a two-letter ISO 3166-1 code.")
            return explicit.strip().upper()
        if all(item.country for item in items):
            return None  # every identifier names its own country; no need to ask the hub
        return self.organisation_country()

    # -- oblivious tokens ----------------------------------------------------------

    def evaluate(self, blinded: list[bytes]) -> tuple[list[bytes], int]:
        """Have the hub evaluate blinded elements (in batches); return them and the key version."""
        if not blinded:
            raise ValueError("Nothing to evaluate.")
        evaluated: list[bytes] = []
        versions: set[int] = set()
        for start in range(0, len(blinded), self.EVALUATE_BATCH):
            chunk = blinded[start:start + self.EVALUATE_BATCH]
            answer = self._call("POST", EVALUATE_PATH, {"blinded_elements": [element.hex() for element in chunk]})
            elements, version = _evaluated(answer, len(chunk))
            evaluated += elements
            versions.add(version)
        if len(versions) != 1:
            # Tokens under two keys would never match each other; the caller should simply retry.
            raise HubError(None, "key_rotated", "The hub's token key changed during the evaluation; try again.")
        return evaluated, versions.pop()

    def tokenise(self, identifiers: Iterable[IdentifierLike], *, default_country: str | None = None) -> list[dict]:
        """Derive tokens obliviously: normalise, blind, hub evaluates, finalise; values stay here."""
        canonicals = self.canonicalise(identifiers, default_country=default_country)
        inputs = [(c.type.value, token_input(c)) for c in canonicals]
        blinds, blinded = zip(*(oprf.blind(data) for _, data in inputs))
        evaluated, version = self.evaluate(list(blinded))
        return [
            {"type": kind, "token": _finalized(data, blind, element).hex(), "key_version": version}
            for (kind, data), blind, element in zip(inputs, blinds, evaluated)
        ]

    # -- checks and reports ----------------------------------------------------------

    def check(self, identifiers: Iterable[IdentifierLike], *, raw: bool = False,
              default_country: str | None = None) -> dict:
        """Check one seller; tokens only unless raw=True."""
        items = self._identifier_items(identifiers, raw=raw, default_country=default_country)
        return self._call("POST", "/api/v1/checks", {"identifiers": items})

    def check_tokens(self, tokens: Iterable[dict]) -> dict:
        """Check one seller by tokens derived earlier with tokenise()."""
        items = [{"type": t["type"], "token": t["token"], "key_version": t["key_version"]} for t in tokens]
        return self._call("POST", "/api/v1/checks", {"identifiers": items})

    def report(self, identifiers: Iterable[IdentifierLike], *, ip_type: str, category: str, verification_level: str,
               statement: str, evidence_paths: Iterable[str | Path] = (), raw: bool = False,
               default_country: str | None = None) -> dict:
        """Report one infringer with evidence; tokens only unless raw=True."""
        evidence = [evidence_file(path) for path in evidence_paths]  # unreadable files fail before any request
        body = {
            "identifiers": self._identifier_items(identifiers, raw=raw, default_country=default_country),
            "ip_type": ip_type, "category": category, "verification_level": verification_level,
            "statement": statement, "evidence": evidence,
        }
        return self._call("POST", "/api/v1/reports", body)

    def watch(self, identifiers: Iterable[IdentifierLike], *, ref: str, raw: bool = False,
              default_country: str | None = None) -> dict:
        """Put one of your sellers on your watchlist; tokens only unless raw=True."""
        items = self._identifier_items(identifiers, raw=raw, default_country=default_country)
        return self._call("POST", "/api/v1/watchlist", {"identifiers": items, "ref": ref})

    def report_get(self, report_id: str) -> dict:
        """One of your organisation's reports."""
        return self._call("GET", f"/api/v1/reports/{_uuid(report_id, 'report')}")

    # -- court disclosure ------------------------------------------------------------

    def encryption_key_set(self, public_key: bytes) -> dict:
        """Register your court's X25519 public key (32 raw bytes); returns your organisation."""
        if len(public_key) != 32:
            raise ValueError("An X25519 public key is 32 bytes.")
        return self._call("PUT", "/api/v1/organisation/encryption-key", {"public_key": public_key.hex()})

    def disclosure_request(self, *, case_number: str, issuing_court: str, legal_basis: str, scope: dict,
                           deadline: str, order_document: str | Path) -> dict:
        """File a court order for disclosure; scope holds reports, subjects, tokens, identifiers and fields."""
        body = {
            "case_number": case_number, "issuing_court": issuing_court, "legal_basis": legal_basis,
            "scope": scope, "deadline": deadline, "order_document": evidence_file(order_document),
        }
        return self._call("POST", "/api/v1/disclosure-requests", body)

    def disclosure_scope(self, *, fields: Iterable[str], reports: Iterable[str] = (), subjects: Iterable[str] = (),
                         tokens: Iterable[str] = (), identifiers: Iterable[IdentifierLike] = (),
                         default_country: str | None = None) -> dict:
        """A disclosure scope; identifiers are validated here and sent raw (the hub keeps only their tokens)."""
        identifiers = list(identifiers)
        scope = {"reports": [str(_uuid(r, "report")) for r in reports],
                 "subjects": [str(_uuid(s, "subject")) for s in subjects],
                 "tokens": [_token_hex(t) for t in tokens], "fields": list(fields)}
        if identifiers:  # the hub's identifiers field refuses an empty list
            scope["identifiers"] = self._identifier_items(identifiers, raw=True, default_country=default_country)
        return scope

    def disclosure_get(self, request_id: str) -> dict:
        """One disclosure request and its state."""
        return self._call("GET", f"/api/v1/disclosure-requests/{_uuid(request_id, 'disclosure request')}")

    def disclosure_approve(self, request_id: str) -> dict:
        """Approve a disclosure request (officers); the second distinct officer's approval approves it."""
        return self._call("POST", f"/api/v1/disclosure-requests/{_uuid(request_id, 'disclosure request')}/approve")

    def package_download(self, request_id: str) -> bytes:
        """The sealed package (the envelope's bytes, as the hub sent them); each call uses up one download."""
        return self._call_bytes("GET", f"/api/v1/disclosure-requests/{_uuid(request_id, 'disclosure request')}/package")

    # -- the audit log (operators and auditors, audit scope) -------------------------

    def audit_checkpoint_latest(self) -> dict:
        """The latest signed checkpoint: origin, size, root_hash (hex) and the signed note."""
        return self._call("GET", "/api/v1/audit/checkpoints/latest")

    def audit_inclusion_proof(self, index: int, size: int) -> dict:
        """Event `index` (0-based)'s leaf hash and RFC 9162 audit path in the tree of the first `size` events."""
        query = urllib.parse.urlencode({"index": index, "size": size})
        return self._call("GET", f"/api/v1/audit/proofs/inclusion?{query}")

    def audit_consistency_proof(self, first: int, second: int) -> dict:
        """The RFC 9162 consistency proof ("path") between the trees of sizes `first` and `second`."""
        query = urllib.parse.urlencode({"first": first, "second": second})
        return self._call("GET", f"/api/v1/audit/proofs/consistency?{query}")

    # -- bulk screening --------------------------------------------------------------

    def bulk_submit(self, path: str | Path, *, content_type: str = "text/csv") -> dict:
        """Upload a CSV or JSONL file (streamed from disk) as a bulk job; returns {"id"}."""
        return self._retried(lambda: self._send_multipart("/api/v1/bulk-checks", Path(path), content_type))

    def bulk_status(self, job_id: str) -> dict:
        """A bulk job's progress: status, done, total, rate and eta_seconds."""
        return self._call("GET", f"/api/v1/bulk-checks/{_uuid(job_id, 'bulk job')}")

    def bulk_cancel(self, job_id: str, reason: str = "") -> dict:
        """Cancel a queued or running bulk job; returns its progress."""
        body = {"reason": reason} if reason else {}
        return self._call("POST", f"/api/v1/bulk-checks/{_uuid(job_id, 'bulk job')}/cancel", body)

    def bulk_results(self, job_id: str, file_format: str = "jsonl") -> bytes:
        """A finished bulk job's results as the hub sent them (JSONL or CSV)."""
        if file_format not in ("jsonl", "csv"):
            raise ValueError("The results format is jsonl or csv.")
        return self._call_bytes("GET", f"/api/v1/bulk-checks/{_uuid(job_id, 'bulk job')}/results?format={file_format}")

    def _build_multipart(self, path: str, file_path: Path, content_type: str) -> urllib.request.Request:
        """A multipart/form-data POST of one file in the field `file`, its body streamed from disk."""
        boundary = f"hubctl-{uuid.uuid4().hex}"
        name = file_path.name.replace('"', "").replace("\r", "").replace("\n", "") or "upload"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: {content_type}\r\n\r\n").encode("utf-8")
        tail = f"\r\n--{boundary}--\r\n".encode("ascii")
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json", "User-Agent": USER_AGENT,
                   "Content-Type": f"multipart/form-data; boundary={boundary}",
                   "Content-Length": str(len(head) + file_path.stat().st_size + len(tail))}
        return urllib.request.Request(self.base_url + path, data=_streamed(head, file_path, tail), headers=headers,
                                      method="POST")

    def _send_multipart(self, path: str, file_path: Path, content_type: str) -> dict:
        """POST one file as multipart/form-data and return the JSON answer; raise HubError on any failure."""
        request = self._build_multipart(path, file_path, content_type)
        status, payload = _exchange(self._opener, request, self.timeout, self.base_url)
        return _json_answer(status, payload, "POST", path)

    def _identifier_items(self, identifiers: Iterable[IdentifierLike], *, raw: bool,
                          default_country: str | None) -> list[dict]:
        """The request's identifier items: token form, or raw form after the same local validation."""
        if not raw:
            return self.tokenise(identifiers, default_country=default_country)
        items = _items(identifiers)
        self.canonicalise([(i.type, i.value, i.country) for i in items], default_country=default_country)
        return [_raw_item(item, default_country) for item in items]


UPLOAD_BLOCK_BYTES = 64 * 1024


def _streamed(head: bytes, file_path: Path, tail: bytes) -> Iterator[bytes]:
    """The multipart body: its head, the file a block at a time, its tail."""
    yield head
    with file_path.open("rb") as handle:
        while block := handle.read(UPLOAD_BLOCK_BYTES):
            yield block
    yield tail


def evidence_file(path: str | Path) -> dict:
    """An evidence entry of a report: file name, guessed content type, base64 content."""
    path = Path(path)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    content = base64.b64encode(path.read_bytes()).decode("ascii")
    return {"name": path.name, "content_type": content_type, "content_base64": content}


def hub_keys(base_url: str, *, timeout: float = 30) -> dict:
    """The hub's public keys (GET /api/v1/keys), asked without any API key."""
    path, base_url = "/api/v1/keys", _checked_base_url(base_url)
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    request = urllib.request.Request(base_url + path, headers=headers, method="GET")
    status, payload = _exchange(urllib.request.build_opener(_NoRedirects), request, timeout, base_url)
    return _json_answer(status, payload, "GET", path)


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


def _exchange(opener: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float,
              base_url: str) -> tuple[int, bytes]:
    """Send one request; return the status and body of a success, else raise HubError."""
    method, path = request.get_method(), request.full_url.removeprefix(base_url)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        raise _http_error(exc, method, path) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise HubError(None, "connection_failed", f"Cannot reach the hub at {base_url}: {reason}") from None


def _uuid(value: str, what: str) -> uuid.UUID:
    """A UUID argument, or ValueError naming what it should identify."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError(f"A {what} id is a UUID.") from None


def _token_hex(token: str) -> str:
    """A token as the hub takes it in a scope: 128 lower-case hex digits."""
    text = str(token).strip().lower()
    if not re.fullmatch(r"[0-9a-f]{128}", text):
        raise ValueError("A token is 128 hexadecimal digits.")
    return text


def _checked_base_url(base_url: str) -> str:
    """An http(s) URL without a trailing slash; anything else (file:, ftp:) is refused."""
    parts = urllib.parse.urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("The hub URL must be an http:// or https:// URL, e.g. http://127.0.0.1:8000.")
    return base_url.strip().rstrip("/")


def _items(identifiers: Iterable[IdentifierLike]) -> list[_Item]:
    """(type, value[, country]) tuples as items; at least one is needed."""
    items = []
    for index, identifier in enumerate(identifiers):
        if isinstance(identifier, (str, bytes)) or len(identifier) not in (2, 3):
            raise IdentifierError(index, None, "Give each identifier as (type, value) or (type, value, country).")
        kind, value, *country = identifier
        items.append(_Item(str(kind).strip().lower(), value, country[0] if country else None))
    if not items:
        raise IdentifierError(None, None, "Give at least one identifier.")
    return items


def _normalised(index: int, item: _Item, default_country: str | None) -> Canonical:
    """normalise(), turning its error into one that names the index and type only."""
    try:
        return normalise(item.type, item.value, default_country=item.country or default_country)
    except IdentifierInvalid as exc:
        known = item.type if item.type in IdentifierType.values else None
        raise IdentifierError(index, known, exc.message) from None


def _raw_item(item: _Item, default_country: str | None) -> dict:
    """A raw-form identifier; without a country the hub uses the organisation's."""
    entry = {"type": item.type, "value": item.value}
    country = item.country or default_country
    if country:
        entry["country"] = country.strip().upper()
    return entry


def _finalized(data: bytes, blind: bytes, element: bytes) -> bytes:
    """oprf.finalize; an invalid evaluated element is the hub's fault, reported as a HubError."""
    try:
        return oprf.finalize(data, blind, element)
    except oprf.OprfError as exc:
        raise HubError(None, "bad_response", f"The hub returned an unusable evaluated element: {exc}.") from None


def _evaluated(answer: dict, expected: int) -> tuple[list[bytes], int]:
    """Check and decode an evaluate answer: one 32-byte element per blinded one, and a key version."""
    elements = answer.get("evaluated_elements")
    version = answer.get("key_version")
    if not isinstance(elements, list) or len(elements) != expected or type(version) is not int:
        raise HubError(None, "bad_response",
                       f"The hub's evaluate answer does not hold {expected} elements and a key version.")
    try:
        decoded = [bytes.fromhex(element) for element in elements if len(element) == ELEMENT_HEX_LENGTH]
    except (TypeError, ValueError):
        decoded = []
    if len(decoded) != expected:
        raise HubError(None, "bad_response", "The hub's evaluate answer holds malformed elements.")
    return decoded, version


def _json_answer(status: int, payload: bytes, method: str, path: str) -> dict:
    """Decode a successful answer; an empty one is {}."""
    if not payload.strip():
        return {}
    try:
        answer = json.loads(payload)
    except ValueError:
        raise HubError(status, "bad_response", f"{method} {path} answered with something that is not JSON.") from None
    if not isinstance(answer, dict):
        raise HubError(status, "bad_response", f"{method} {path} answered with JSON that is not an object.")
    return answer


def _http_error(exc: urllib.error.HTTPError, method: str, path: str) -> HubError:
    """A HubError from an error answer: the hub's error body when there is one."""
    try:
        body = json.loads(exc.read() or b"null")
    except (ValueError, OSError):
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
    if not isinstance(error, dict):
        reason = exc.reason or "error"
        return HubError(exc.code, "http_error", f"{method} {path} failed: {reason}.", retry_after=retry_after)
    return HubError(exc.code, str(error.get("code") or "error"), str(error.get("message") or "Request failed."),
                    error.get("fields"), retry_after, body.get("request_id"))


def _retry_after(header: str | None) -> int | None:
    """Retry-After in seconds; the HTTP-date form is not worth parsing for a CLI."""
    try:
        return int(header) if header is not None else None
    except ValueError:
        return None


def _worth_waiting(exc: HubError) -> bool:
    """Only a rate limit with a short, stated wait is retried automatically."""
    return exc.status == 429 and exc.retry_after is not None and 0 < exc.retry_after <= MAX_RETRY_WAIT
