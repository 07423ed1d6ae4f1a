"""hubctl installs and runs without Django: its own distribution (clients/hubctl) in a fresh venv.

Slow (a venv, a build and the dependencies from the package index: about a minute), but part of
the suite: it is the only proof that nothing hubctl imports drags the hub in.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import hubcore
from hubcore import merkle
from hubcore.checkpoints import Checkpoint, note_sign

ROOT = Path(hubcore.__file__).resolve().parents[1]
ORIGIN = "hub.example/audit"

pytestmark = pytest.mark.slow


def run(*argv: str | Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv (no site packages) with only the hubctl distribution and its dependencies."""
    tmp = tmp_path_factory.mktemp("hubctl-client")
    # Build from a copy with the symbolic links resolved, so the checkout gets no build/ or egg-info.
    source = tmp / "source"
    shutil.copytree(
        ROOT / "clients" / "hubctl",
        source,
        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"),
    )
    created = run(sys.executable, "-m", "venv", tmp / "venv")
    assert created.returncode == 0, created.stderr
    python = tmp / "venv" / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", source)
    assert installed.returncode == 0, installed.stderr[-4000:]
    return tmp / "venv"


@pytest.fixture
def saved_log(tmp_path) -> dict:
    """A signed checkpoint of a 5-event log and an inclusion proof of event 3, as files."""
    key = Ed25519PrivateKey.generate()
    leaves = [merkle.leaf_hash(f"event {i}".encode()) for i in range(5)]
    note = tmp_path / "checkpoint.note"
    note.write_text(
        note_sign(Checkpoint(ORIGIN, 5, merkle.root_from_leaf_hashes(leaves)), key, key_name=ORIGIN)
    )
    proof = tmp_path / "inclusion.json"
    path = merkle.inclusion_proof(leaves, 3, 5)
    proof.write_text(json.dumps({"leaf_hash": leaves[3].hex(), "path": [h.hex() for h in path]}))
    return {"note": note, "proof": proof, "key": key.public_key().public_bytes_raw().hex(), "leaves": leaves}


def verify_inclusion(venv: Path, saved: dict, index: int) -> subprocess.CompletedProcess:
    return run(
        venv / "bin" / "hubctl",
        "audit",
        "verify-inclusion",
        "--checkpoint",
        saved["note"],
        "--index",
        str(index),
        "--proof",
        saved["proof"],
        "--hub-key",
        saved["key"],
        "--json",
        timeout=60,
    )


def test_the_client_distribution_has_no_django(venv):
    imported = run(venv / "bin" / "python", "-c", "import django", timeout=60)
    packages = run(venv / "bin" / "python", "-m", "pip", "list", "--format=json", timeout=60)

    assert imported.returncode != 0 and "No module named 'django'" in imported.stderr
    names = {package["name"].lower() for package in json.loads(packages.stdout)}
    assert "hubctl" in names and not names & {"django", "djangorestframework", "infringer-intelligence-hub"}


def test_hubctl_runs_from_the_client_distribution(venv):
    helped = run(venv / "bin" / "hubctl", "--help", timeout=60)

    assert helped.returncode == 0, helped.stderr
    assert "verify-package" in helped.stdout and "audit" in helped.stdout


def test_the_client_verifies_a_saved_proof_offline(venv, saved_log):
    included = verify_inclusion(venv, saved_log, 3)
    elsewhere = verify_inclusion(venv, saved_log, 2)  # the proof is event 3's: it cannot prove event 2

    assert included.returncode == 0, included.stderr
    summary = json.loads(included.stdout)
    assert summary["included"] is True and summary["size"] == 5
    assert summary["leaf_hash"] == saved_log["leaves"][3].hex()
    assert elsewhere.returncode == 1


def third_party_imports() -> set[str]:
    """The top-level names hubctl and hubcore import that are neither the standard library nor the hub's."""
    names = set()
    for package in ("hubctl", "hubcore"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    # The hub's own packages are the Django-free import test's business (tests/hubcore/test_django_free.py).
    return names - set(sys.stdlib_module_names) - {"hubctl", "hubcore", "hub", "accounts", "sharing"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_client_distribution_declares_every_library_hubctl_imports():
    declared = tomllib.loads((ROOT / "clients" / "hubctl" / "pyproject.toml").read_text())["project"]
    requirements = {normalised(re.match(r"[A-Za-z0-9._-]+", d).group()) for d in declared["dependencies"]}
    providers = packages_distributions()

    missing = {
        name
        for name in third_party_imports()
        if not {normalised(dist) for dist in providers.get(name, [])} & requirements
    }

    assert third_party_imports() >= {"httpx", "cryptography", "rbcl"}
    assert not missing, f"clients/hubctl/pyproject.toml does not depend on what provides {sorted(missing)}"
