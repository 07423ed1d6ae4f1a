"""The hashed lock files still satisfy pyproject.toml: a dependency added, removed or re-ranged
without `scripts/lock` fails here, before an install from the lock could quietly differ."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SERVER = [Requirement(r) for r in PROJECT["dependencies"]]
TEST = SERVER + [Requirement(r) for r in PROJECT["optional-dependencies"]["test"]]
LOCKS = {"server.lock": SERVER, "test.lock": TEST}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pins(lock: str) -> dict[str, tuple[Version, str]]:
    """Each pinned package: its version and the entry's text (pin, hashes and `# via` note)."""
    entries: dict[str, tuple[Version, str]] = {}
    current = None
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            entries[current] = (Version(match.group(2)), line)
        elif current and line.startswith(" "):
            version, text = entries[current]
            entries[current] = (version, f"{text}\n{line}")
    return entries


@pytest.mark.parametrize("lock", LOCKS)
def test_every_declared_dependency_is_pinned_inside_its_range(lock):
    pins = _pins(lock)
    for requirement in LOCKS[lock]:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements/{lock}: run scripts/lock"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{lock} pins {name}=={version}, outside {requirement}: run scripts/lock"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_nothing_pinned_for_the_project_that_it_no_longer_declares(lock):
    declared = {canonicalize_name(r.name) for r in LOCKS[lock]}
    stale = [
        name
        for name, (_, text) in _pins(lock).items()
        if "infringer-intelligence-hub (pyproject.toml)" in text and name not in declared
    ]
    assert not stale, f"requirements/{lock} still pins {stale} for pyproject.toml: run scripts/lock"


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_carries_hashes(lock):
    unhashed = [name for name, (_, text) in _pins(lock).items() if "--hash=sha256:" not in text]
    assert not unhashed, f"requirements/{lock}: no hash for {unhashed}"


def test_the_test_lock_agrees_with_the_server_lock_on_shared_pins():
    """CI tests what the image runs: a package in both locks has one version."""
    server, test = _pins("server.lock"), _pins("test.lock")
    differing = {
        n: (server[n][0], test[n][0]) for n in server.keys() & test.keys() if server[n][0] != test[n][0]
    }
    assert not differing, f"server.lock and test.lock disagree: {differing}; run scripts/lock"
