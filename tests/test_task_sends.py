"""Every task the hub sends goes through hub/tasks_enqueue.py, which never fails a committed request."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("accounts", "sharing", "hub", "hubctl")
HELPER = ROOT / "hub" / "tasks_enqueue.py"
# A task sent or a callback registered any other way could fail the request after its commit.
BARE_SEND = re.compile(r"\.(delay|apply_async|send_task|on_commit)\(|\bon_commit\(")


def _bare_sends() -> list[str]:
    found = []
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == HELPER or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if BARE_SEND.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_task_is_sent_or_commit_hook_registered_outside_the_enqueue_helper():
    assert _bare_sends() == []


def test_the_check_sees_a_bare_send():
    """The pattern itself must catch the forms it forbids, or the test above could never fail."""
    forms = [
        "bulk_chunk_task.delay(chunk_id)",
        "task.apply_async(args=(1,))",
        "transaction.on_commit(send)",
        "app.send_task('x')",
        "on_commit(lambda: None)",
    ]
    assert all(BARE_SEND.search(form) for form in forms)
