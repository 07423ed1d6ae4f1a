"""Run the hub as `scripts/run` does (embedded default: file SQLite, in-process tasks, demo keys)
in a subprocess on a free port, for tests that need a real server and real database locking."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Settings the server must not inherit from the test run: it is the embedded default.
_NOT_INHERITED = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "HUB_ENV",
    "DJANGO_DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOWED_HOSTS",
)


def embedded_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    return {**env, "HUB_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1", **extra}


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def embedded_hub(var_dir: Path, *, as_scripts_run: bool = False, **extra_env: str):
    """Migrate, seed the demo organisations and serve; yields (base URL, {username: API key}).

    as_scripts_run: serve with `run_embedded`, the command scripts/run ends with (and its in-process
    beat), instead of a bare runserver."""
    env = embedded_env(var_dir, **extra_env)
    manage(env, "migrate", "--noinput")
    keys = {row["username"]: row["api_key"] for row in json.loads(manage(env, "seed_demo", "--json"))}
    port = _free_port()
    log = open(var_dir / "server.log", "w")
    serve = (
        ["run_embedded", f"127.0.0.1:{port}"]
        if as_scripts_run
        else ["runserver", f"127.0.0.1:{port}", "--noreload"]
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", *serve],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base, keys
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the hub server exited at start")
        try:
            urllib.request.urlopen(f"{base}/api/v1/schema/", timeout=5)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the hub server did not answer within 60 s")
