"""A real HTTP receiver on 127.0.0.1 for webhook tests: records requests, answers from a script."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

RESPONSE_CANARY = b"RESPONSE-BODY-CANARY-5521"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        receiver.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        action = receiver.script.pop(0) if receiver.script else 200
        if action == "close":
            return  # the connection closes without a response: the sender sees it cut mid-way
        if action == "hang":
            time.sleep(3)  # longer than the sender's timeout in these tests
            return
        self.send_response(302 if isinstance(action, str) else action)
        if isinstance(action, str):
            self.send_header("Location", action)
        self.send_header("Content-Length", str(len(RESPONSE_CANARY)))
        self.end_headers()
        self.wfile.write(RESPONSE_CANARY)

    # A followed redirect may arrive as any method; record it whatever it is.
    do_GET = do_PUT = do_POST

    def log_message(self, *args):
        pass


class Receiver:
    """A threaded HTTP server that records every request and answers from `script` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[int | str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.receiver = self
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def event_ids(self) -> list[str]:
        return [r["headers"]["webhook-id"] for r in self.requests]


@pytest.fixture
def receiver():
    """A running Receiver, shut down after the test."""
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()
