"""Without --hub-key, hubctl verifies against the key of the very hub it checks: it says so on
stderr and recommends pinning; with --hub-key it says nothing. Every command that verifies a
signature of the hub gets its key through hub_key_for, so the warning cannot be skipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hubctl.cli import main
from hubctl.commands import base
from tests.hubctl.test_disclosure_e2e import sealed_package

HUBCTL = Path(base.__file__).resolve().parents[1]


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package, and a hub at HUB_URL that serves the key that signed it."""
    path, court_pem, hub_key = sealed_package(tmp_path, {"records.json": b"[]"})
    monkeypatch.setattr(base, "hub_signing_key", lambda url, timeout: bytes.fromhex(hub_key))
    return path, court_pem, hub_key


def test_verifying_with_a_key_fetched_from_the_hub_warns_and_recommends_pinning(package, capsys):
    path, court_pem, hub_key = package

    status = main(["verify-package", str(path), "--key", str(court_pem)])

    err = capsys.readouterr().err
    assert status == 0
    assert "warning" in err and "from the very hub whose signature is being" in err
    assert hub_key in err and "--hub-key HEX" in err


def test_a_pinned_key_verifies_without_a_warning(package, capsys):
    path, court_pem, hub_key = package

    status = main(["verify-package", str(path), "--key", str(court_pem), "--hub-key", hub_key])

    assert status == 0 and "warning" not in capsys.readouterr().err


def test_every_command_gets_the_hubs_key_through_the_warning_path():
    """Commands (not the client library, which defines the fetch) fetch the key in one place only."""
    fetches = [
        f"{path.relative_to(HUBCTL)}:{n}"
        for path in (HUBCTL / "commands").rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bhub_(signing_key|keys)\(", line) and "def " not in line
    ]

    assert fetches == ["commands/base.py:" + str(_line_of("key = local(lambda: hub_signing_key("))]


def _line_of(text: str) -> int:
    lines = (HUBCTL / "commands" / "base.py").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)
