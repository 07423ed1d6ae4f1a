"""Celery task names outlive module moves: the beat schedule and messages already queued name
tasks by strings, so every sharing task keeps its "sharing.tasks.<function>" name wherever it is
defined, and a worker's discovery (not a test's imports) registers every name the hub uses."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

from celery import Task

from hub.celery import app

ROOT = Path(__file__).resolve().parents[1]
TASK_NAMED = re.compile(r"""task_named\(\s*["']([\w.]+)["']""")
NAME_CONSTANT = re.compile(r"""^[A-Z_]+_TASK = ["']([\w.]+)["']""", re.M)


def sharing_task_modules() -> list[str]:
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "sharing").glob("*/tasks.py")
    )


def names_the_hub_uses() -> set[str]:
    """Scheduled, routed, and sent by name from the services."""
    names = {entry["task"] for entry in app.conf.beat_schedule.values()} | set(app.conf.task_routes or {})
    for path in list((ROOT / "sharing").rglob("*.py")) + list((ROOT / "accounts").rglob("*.py")):
        text = path.read_text()
        names |= set(TASK_NAMED.findall(text)) | set(NAME_CONSTANT.findall(text))
    return names


def test_every_sharing_task_keeps_its_original_name():
    modules = sharing_task_modules()
    assert len(modules) >= 5
    for module_name in modules:
        module = importlib.import_module(module_name)
        tasks = {name: value for name, value in vars(module).items() if isinstance(value, Task)}
        assert tasks, module_name
        for function_name, task in tasks.items():
            assert task.name == f"sharing.tasks.{function_name}", module_name


def test_a_worker_discovers_every_task_the_hub_schedules_routes_or_sends():
    # A fresh interpreter: here, the test session has imported every tasks module already.
    script = (
        "import json, django; django.setup()\n"
        "from hub.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(json.dumps(sorted(app.tasks)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    registered = set(json.loads(result.stdout.strip().splitlines()[-1]))
    used = names_the_hub_uses()
    assert "sharing.tasks.webhook_deliver_task" in used and "sharing.tasks.bulk_chunk_task" in used
    assert sorted(used - registered) == []
