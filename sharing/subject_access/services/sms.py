"""Text messages through a gateway chosen by HUB_SMS_BACKEND, as Django chooses an email backend.

A backend is a class with `send(self, *, to: str, body: str) -> None` (the SmsBackend protocol);
it raises SmsNotSent when the gateway refuses. The embedded default, FileSmsBackend, writes each
message to its own file under HUB_SMS_FILE_PATH, like Django's file-based email backend: a
deployment that sends real messages names its gateway's adapter class in HUB_SMS_BACKEND.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsNotSent(Exception):
    """The gateway did not take the message (its text never names the number)."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


class FileSmsBackend:
    """Each message to a file of its own under HUB_SMS_FILE_PATH: 'To:', 'Date:', a blank line, the body."""

    def send(self, *, to: str, body: str) -> None:
        folder = Path(settings.HUB_SMS_FILE_PATH)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            now = timezone.now()
            name = f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.sms"
            (folder / name).write_text(f"To: {to}\nDate: {now.isoformat()}\n\n{body}\n", encoding="utf-8")
        except OSError as exc:
            raise SmsNotSent(type(exc).__name__) from None


def sms_send(*, to: str, body: str) -> None:
    """Send one text message through the configured backend."""
    backend: SmsBackend = import_string(settings.HUB_SMS_BACKEND)()
    backend.send(to=to, body=body)
