"""The README's examples run as written: its shell blocks that call a running hub are run, in order and in
one shell session as a reader would in one terminal, against a live embedded hub served the way
`scripts/run` serves it; every variable they use comes from `seed_demo --env` or from the blocks."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.hub.embedded_server import ROOT, embedded_env, embedded_hub

README = ROOT / "README.md"
README_ADDRESS = "127.0.0.1:8000"
# Blocks that call the hub but cannot run as written; none may (the court walk-through captures the ids it
# needs from earlier answers itself). A block listed here must name what it needs.
NEEDS_EARLIER_VALUES: dict[str, str] = {}
# The court's stock tools the walk-through uses (scripts/test installs them as root).
STOCK_TOOLS = ("/usr/bin/age", "/usr/bin/ssh-keygen", "/usr/bin/unzip", "/usr/bin/sha256sum", "/usr/bin/jq")


def _sh_blocks() -> list[str]:
    """Every ```sh block of the README, dedented (list items indent theirs)."""
    blocks = []
    for indent, body in re.findall(r"^( *)```sh\n(.*?)^\1```", README.read_text(), flags=re.S | re.M):
        blocks.append("".join(line[len(indent) :] + "\n" for line in body.splitlines()))
    return blocks


def _calls_the_hub(block: str) -> bool:
    return README_ADDRESS in block or "$HUB_URL" in block


def _variables(block: str) -> set[str]:
    return set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", block))


def _assigned(block: str) -> set[str]:
    """Variables a block sets: `NAME=...` at a line's start, or each name of an `export A=... B=...` line."""
    names = set(re.findall(r"^([A-Z][A-Z0-9_]*)=\S", block, flags=re.M))
    for line in re.findall(r"^export (.*)$", block, flags=re.M):
        names |= set(re.findall(r"(?:^| )([A-Z][A-Z0-9_]*)=", line))
    return names


def _curl_calls(block: str) -> int:
    """curl commands in a block: at a line's start, in a command substitution or after a pipe."""
    return len(re.findall(r"(?:^|\$\(|\|) *curl ", block, flags=re.M))


def _runnable(block: str) -> bool:
    return _calls_the_hub(block) and not any(marker in block for marker in NEEDS_EARLIER_VALUES)


@pytest.mark.django_db
def test_seed_demo_env_exports_every_key_variable_the_readme_uses(capsys):
    call_command("seed_demo", "--env")
    lines = capsys.readouterr().out.splitlines()

    exported = dict(re.fullmatch(r"export ([A-Z][A-Z0-9_]*)=(\S+)", line).groups() for line in lines)
    used = {name for block in _sh_blocks() for name in _variables(block) if name.endswith("_KEY")}
    used |= set(re.findall(r"\$([A-Z][A-Z0-9_]*_KEY)\b", README.read_text()))
    assert used and used <= set(exported), used - set(exported)
    assert {"PLATFORM_ANALYST_KEY", "BRAND_A_REPORTER_KEY", "OFFICER_TWO_KEY", "AUDITOR_KEY"} <= set(exported)
    call_command("seed_demo", "--json")
    keys = {row["username"]: row["api_key"] for row in json.loads(capsys.readouterr().out)}
    assert exported["PLATFORM_ANALYST_KEY"] == keys["platform-analyst"] and len(exported) == len(keys)


def test_every_block_that_calls_the_hub_runs_with_values_it_or_an_earlier_block_sets():
    calling = [b for b in _sh_blocks() if _calls_the_hub(b)]
    assert len(calling) >= 5  # the extraction found the README's examples, the court's included
    assert not NEEDS_EARLIER_VALUES and all(map(_runnable, calling))
    assert any("disclosure-request" in b for b in calling) and any("age -d" in b for b in calling)
    # A block uses only variables seed_demo --env exports (…_KEY) or that it or an earlier block sets.
    set_so_far: set[str] = set()
    for block in calling:
        set_so_far |= _assigned(block)
        assert {v for v in _variables(block) if not v.endswith("_KEY")} <= set_so_far, block
    assert {"REPORT_ID", "REQUEST_ID", "HUB_URL"} <= set_so_far


def test_the_variable_rule_sees_a_value_no_block_sets():
    """The rule above can fail: an id no earlier block captures is caught."""
    block = "hubctl download-package $REQUEST_ID --out p.age\n"
    assert _variables(block) - _assigned("export HUB_URL=x HUB_API_KEY=y\nREPORT_ID=$(cat r)\n") == {
        "REQUEST_ID"
    }


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("readme")
    with embedded_hub(var_dir, as_scripts_run=True) as (base, _keys):
        yield base, var_dir


def test_the_readme_blocks_run_as_written_against_a_live_hub(live_hub, tmp_path):
    if not (ROOT / ".venv/bin/python").exists() or not (ROOT / ".venv/bin/hubctl").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs the README's examples: scripts/test creates .venv")
        pytest.skip("the README's commands use .venv/; run scripts/bootstrap first")
    missing = [tool for tool in STOCK_TOOLS if not Path(tool).is_file()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} missing: scripts/test installs them as root")
        pytest.skip(f"the court's walk-through needs {missing}: apt-get install age openssh-client unzip jq")
    base, var_dir = live_hub
    port = base.rsplit(":", 1)[1]
    blocks = [b for b in _sh_blocks() if _runnable(b)]
    # curl answers go to files, so each request's status and body can be checked; everything else as written,
    script = (
        "set -euo pipefail\n"
        # and the body is still printed, for pipes and $(…) to read. The count lives in a file: a curl in
        # a pipe runs in a subshell, whose variables its parent never sees.
        f"answers={tmp_path}; echo 0 > $answers/count\n"
        'curl() { local n=$(( $(cat "$answers/count") + 1 )); echo $n > "$answers/count"\n'
        '         command curl -o "$answers/$n.body" -w "%{http_code}" "$@" > "$answers/$n.status"\n'
        '         cat "$answers/$n.body"; }\n'
        + "\n".join(blocks).replace(README_ADDRESS, f"127.0.0.1:{port}")
    )

    # A fresh working directory (the files the blocks save land there) holding the clone's .venv and
    # manage.py, and the var/ directory the hub runs with (the demo court's private key is there).
    workdir = tmp_path / "clone"
    workdir.mkdir()
    for name in (".venv", "manage.py"):
        (workdir / name).symlink_to(ROOT / name)
    (workdir / "var").symlink_to(var_dir)
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=workdir,
        env=embedded_env(var_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    statuses = sorted(tmp_path.glob("*.status"), key=lambda p: int(p.stem))
    assert (workdir / "march.note").exists() and (workdir / "april.note").exists()  # the audit block ran
    assert len(statuses) == sum(map(_curl_calls, blocks)) >= 4
    for status in statuses:
        body = (tmp_path / f"{status.stem}.body").read_text()
        assert status.read_text().startswith("2"), (status.read_text(), body[:500])
        json.loads(body)
    assert '"level"' in (tmp_path / "1.body").read_text()  # the first check answered
    # hubctl's two checks (oblivious, then raw) and its report printed their answers.
    assert result.stdout.count("level: ") >= 2 and "verification: rights_owner_verified" in result.stdout
    # The couriers' walk-through: the counter check holds the parcel, the event is recorded, the manifest's
    # row with the reused fake ID is held and the other accepted, and the live room is reviewed first.
    assert re.search(r'"parcel_action":\s*"hold_for_inspection"', result.stdout)
    assert re.search(r'"kind":\s*"refused"', result.stdout)
    manifest = [json.loads(line) for line in (workdir / "manifest-results.jsonl").read_text().splitlines()]
    assert {row["ref"]: row["parcel_action"] for row in manifest} == {
        "P-0001": "hold_for_inspection",
        "P-0002": "accept",
    }
    assert re.search(r'"urgent":\s*true', result.stdout)
    # The court story: two distinct officers approved, the package came down, and the stock tools opened it.
    assert result.stdout.count("approvals: 2") >= 1 and "approved: " in result.stdout
    assert len(list(workdir.glob("disclosure-*.zip.age"))) == 1
    assert 'Good "iih-disclosure" signature for iih-hub' in result.stdout + result.stderr
    assert "SHA256SUMS: OK" not in result.stdout and "records.json: OK" in result.stdout
    records = json.loads((workdir / "disclosed/records.json").read_text())
    assert "Test purchase, order 42" in json.dumps(records, ensure_ascii=False)


def test_the_server_of_scripts_run_has_debug_off(live_hub):
    """run_embedded, what scripts/run serves with, shows the styled 404, not Django's debug page."""
    base, _ = live_hub
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{base}/no-such-page/", timeout=30)

    page = answer.value.read().decode()
    assert answer.value.code == 404 and "<h1>Page not found</h1>" in page
    assert "URLconf" not in page and "DEBUG = True" not in page


def test_every_relative_link_in_the_readme_resolves_inside_a_fresh_clone():
    targets = [t for t in re.findall(r"\]\(([^)\s]+)\)", README.read_text()) if "://" not in t]

    assert "docs/design.md" in targets
    for target in targets:
        path = (ROOT / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), target
