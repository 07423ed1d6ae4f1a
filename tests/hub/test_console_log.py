"""The console log follows stderr: a swapped stderr (a test runner's capture, a daemon's redirect)
gets the log lines, never a "--- Logging error ---" from a stream closed under the handler."""

from __future__ import annotations

import io
import logging
import sys

from hub.error_reports import CurrentStderrHandler


def _console() -> CurrentStderrHandler:
    return next(h for h in logging.getLogger().handlers if isinstance(h, CurrentStderrHandler))


def test_the_console_handler_writes_to_the_stderr_of_the_moment(monkeypatch):
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    logging.getLogger("hub.test").warning("one")
    first.close()  # what a finished capture does to its stream
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("hub.test").warning("two")

    assert "two" in second.getvalue() and "Logging error" not in second.getvalue()
    assert _console().stream is second


def test_a_pinned_stream_is_used_until_unpinned(monkeypatch):
    console, pinned, current = _console(), io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", current)

    previous = console.setStream(pinned)
    logging.getLogger("hub.test").warning("pinned")
    console.setStream(previous)
    logging.getLogger("hub.test").warning("current")

    assert "pinned" in pinned.getvalue() and "current" not in pinned.getvalue()
    assert "current" in current.getvalue()
