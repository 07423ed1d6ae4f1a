"""Keep the hub's secrets out of error pages and logs, debug or not.

Django masks settings and request headers by name only, and shows local variables
in full whenever DEBUG is on. The hub's keys have names Django does not guess
(HUB_OPRF_SEED, HUB_KEKS) and are passed around as arguments, so secrets are masked
here by name (every secret setting, environment variable and header) and by value
(any variable, header, page or log line that contains a secret's value).
"""

from __future__ import annotations

import logging
import re
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models.query import QuerySet
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Names of settings, environment variables and headers whose values are secret.
SECRET_NAMES = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|SIGNING|SEED|KEK|COOKIE|CREDENTIAL|PRIVATE"
    r"|DATABASE_URL|DATABASE_REPLICA_URL|DATABASES|BROKER|RESULT_BACKEND|CHECKPOINT_URL|DSN",
    flags=re.IGNORECASE,
)
# Settings that hold secrets (their values, their hex parts and those parts as bytes are masked).
SECRET_SETTINGS = ("SECRET_KEY", "HUB_OPRF_SEED", "HUB_TOKEN_STORAGE_KEYS", "HUB_KEKS", "HUB_SIGNING_KEY")
# Settings that are URLs which may carry a password.
URL_SETTINGS = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "HUB_CHECKPOINT_URL",
)
SUBSTITUTE = SafeExceptionReporterFilter.cleansed_substitute
# Shorter values are too likely to occur by chance to be masked by value.
_MIN_FRAGMENT = 8


def secret_fragments() -> list[str]:
    """Every form in which a secret value may show up in text, longest first."""
    fragments: set[str] = set()
    for name in SECRET_SETTINGS:
        fragments.update(_forms_of_key(str(getattr(settings, name, "") or "")))
    for name in URL_SETTINGS:
        fragments.add(urlsplit(str(getattr(settings, name, "") or "")).password or "")
    for database in settings.DATABASES.values():
        fragments.add(str(database.get("PASSWORD") or ""))
    return sorted((f for f in fragments if len(f) >= _MIN_FRAGMENT), key=len, reverse=True)


def _forms_of_key(value: str) -> set[str]:
    """The value itself, each "version:hex" part's hex (either case) and its bytes as Python shows them."""
    forms = {value}
    for item in value.split(","):
        hex_text = item.strip().rpartition(":")[2]
        forms.update({hex_text, hex_text.lower(), hex_text.upper()})
        try:
            forms.add(repr(bytes.fromhex(hex_text))[2:-1])
        except ValueError:
            pass
    return forms


def redact(text: str, fragments: list[str] | None = None) -> str:
    for fragment in secret_fragments() if fragments is None else fragments:
        text = text.replace(fragment, SUBSTITUTE)
    return text


def _holds_secret(value, fragments: list[str]) -> bool:
    if isinstance(value, QuerySet):
        return False  # never evaluated here: the database may be what failed
    try:
        shown = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not break the error page
        return False
    return any(fragment in shown for fragment in fragments)


class SecretHidingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Masks secrets by name and by value, and applies sensitive_variables even with DEBUG on."""

    hidden_settings = SECRET_NAMES

    def is_active(self, request) -> bool:
        return True

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        return SUBSTITUTE if _holds_secret(cleansed, secret_fragments()) else cleansed

    def get_safe_request_meta(self, request):
        fragments = secret_fragments()
        return {
            name: SUBSTITUTE if _holds_secret(value, fragments) else value
            for name, value in super().get_safe_request_meta(request).items()
        }

    def get_traceback_frame_variables(self, request, tb_frame):
        fragments = secret_fragments()
        return [
            (name, SUBSTITUTE if _holds_secret(value, fragments) else value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]


class SecretHidingExceptionReporter(ExceptionReporter):
    """The last line of defence: no secret value survives in the rendered page or report text
    (an exception message, a template context, anything the filter does not see)."""

    def get_traceback_html(self):
        return redact(str(super().get_traceback_html()))

    def get_traceback_text(self):
        return redact(str(super().get_traceback_text()))


class CurrentStderrHandler(logging.StreamHandler):
    """A console handler that writes to whatever `sys.stderr` is when it emits, as logging's own
    last-resort handler does. A plain StreamHandler keeps the stream it was configured with; a
    process that swaps stderr (a test runner's capture, a daemon redirecting its output) then
    leaves it writing to a closed file, and every log line becomes a "--- Logging error ---"."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        logging.Handler.__init__(self, level)
        self._fixed_stream = None  # set only by setStream, e.g. to capture the log

    @property
    def stream(self):
        return self._fixed_stream if self._fixed_stream is not None else sys.stderr

    def setStream(self, stream):  # noqa: N802 (logging's name)
        """Pin a stream (None: back to the current stderr); returns the one before, as logging's does."""
        previous, self._fixed_stream = self._fixed_stream, stream
        return previous


class RedactSecretsLogFilter(logging.Filter):
    """Masks secret values in a log record's message and traceback before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        fragments = secret_fragments()
        message = record.getMessage()
        if any(fragment in message for fragment in fragments):
            record.msg, record.args = redact(message, fragments), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, fragments)
        return True
