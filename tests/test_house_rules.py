"""The house rules CI holds the tree to: ruff's lint and format, and mypy with the Django and DRF
plugins, all configured in pyproject.toml and run with the virtualenv's own binaries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout[-8000:]}\n{result.stderr[-4000:]}"


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_the_tree_passes(command):
    result = run(*command)
    assert result.returncode == 0, output_of(result)


def test_mypy_reports_a_view_with_a_wrong_capability_type(tmp_path):
    """The configuration checks for real: the plugins load, and a view typed against the hub's
    base class is held to it (a bare string is not a Capability)."""
    module = tmp_path / "wrong_view.py"
    module.write_text(
        "from accounts.api.base import HubApiView\n\n\n"
        "class WrongView(HubApiView):\n"
        '    required_capability = "report:read"\n'
    )
    result = run("mypy", "--config-file", str(ROOT / "pyproject.toml"), str(module))
    assert result.returncode == 1, output_of(result)
    assert "wrong_view.py:5: error: Incompatible types in assignment" in result.stdout, output_of(result)
