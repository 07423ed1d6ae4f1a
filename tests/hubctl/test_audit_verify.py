"""hubctl audit: signed checkpoints and RFC 9162 proofs, verified offline against a log the hub's own functions
built, and end to end against the real hub (Django's live server); plus each way verification must fail."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hubcore import merkle
from hubcore.checkpoints import Checkpoint, CheckpointError, note_sign, note_verify
from hubctl import audit
from hubctl.cli import main
from hubctl.client import HubClient
from tests.factories import key_for, report_make, seller_identifiers


@dataclass(frozen=True)
class Run:
    """One hubctl run: exit status and what it printed."""

    status: int
    out: str
    err: str


@dataclass(frozen=True)
class Log:
    """A log built by the hub's own functions, with an older and a newer checkpoint saved as notes."""

    tmp: Path
    hub_key: str
    origin: str
    leaves: list[bytes]
    old_size: int
    new_size: int
    old_note: Path
    new_note: Path


@dataclass(frozen=True)
class Live:
    """The live hub, an auditor's API key, and two checkpoints saved with hubctl (older, newer)."""

    url: str
    key: str
    tmp: Path
    old_note: Path
    new_note: Path
    old_size: int
    new_size: int


def run(capsys, *argv: str) -> Run:
    """Run hubctl and capture its output."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


def flipped(hex_hash: str) -> str:
    """The hash with its first hexadecimal digit changed."""
    return ("1" if hex_hash[0] != "1" else "2") + hex_hash[1:]


def json_write(path: Path, data: object) -> Path:
    """Save data as a JSON file."""
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def note_with_line(note: Path, number: int, line: str) -> str:
    """The note's text with one line replaced."""
    lines = note.read_text(encoding="utf-8").split("\n")
    lines[number] = line
    return "\n".join(lines)


def note_signed(origin: str, size: int, root: bytes, key: Ed25519PrivateKey) -> str:
    """A note signed the hub's way (hubcore.checkpoints.note_sign) by any key."""
    return note_sign(Checkpoint(origin, size, root), key, key_name=origin)


# -- offline, against a log built by the hub's own functions ---------------------------------


@pytest.fixture
def offline(monkeypatch) -> None:
    """Fail the test if hubctl reaches for the hub: no proof, key or checkpoint may be fetched."""

    def refuse(*args, **kwargs):
        raise AssertionError("hubctl tried to reach the hub")

    monkeypatch.setattr(HubClient, "_send", refuse)
    monkeypatch.setattr("hubctl.commands.base.hub_signing_key", refuse)


@pytest.fixture
def log(db, brand_reporter, tmp_path, settings) -> Log:
    """A few reports' events, a checkpoint, more events, a second checkpoint; both notes saved."""
    from accounts.audit.checkpoints import checkpoint_create, hub_public_key
    from accounts.audit.log import stored_leaf_hashes

    for n in range(2):
        report_make(brand_reporter, seller_identifiers(n))
    old = checkpoint_create()
    for n in range(2, 5):
        report_make(brand_reporter, seller_identifiers(n))
    new = checkpoint_create()
    (tmp_path / "old.note").write_bytes(old.note.encode())
    (tmp_path / "new.note").write_bytes(new.note.encode())
    return Log(
        tmp_path,
        hub_public_key().hex(),
        settings.HUB_AUDIT_ORIGIN,
        stored_leaf_hashes(new.size),
        old.size,
        new.size,
        tmp_path / "old.note",
        tmp_path / "new.note",
    )


def inclusion_file(log: Log, index: int, size: int, name: str = "inclusion.json") -> Path:
    """An inclusion proof as the hub's API answers it, computed with hubcore.merkle."""
    path = merkle.inclusion_proof(log.leaves, index, size)
    return json_write(log.tmp / name, {"leaf_hash": log.leaves[index].hex(), "path": [h.hex() for h in path]})


def consistency_file(log: Log, first: int, second: int, name: str = "consistency.json") -> Path:
    """A consistency proof as the hub's API answers it, computed with hubcore.merkle."""
    path = merkle.consistency_proof(log.leaves, first, second)
    return json_write(log.tmp / name, {"path": [h.hex() for h in path]})


def verify_inclusion(capsys, log: Log, index: int, proof: Path, *extra: str, note: Path | None = None) -> Run:
    """hubctl audit verify-inclusion, fully offline (--hub-key and --proof)."""
    return run(
        capsys,
        "audit",
        "verify-inclusion",
        "--checkpoint",
        str(note or log.new_note),
        "--index",
        str(index),
        "--proof",
        str(proof),
        "--hub-key",
        log.hub_key,
        *extra,
    )


def verify_consistency(
    capsys, log: Log, proof: Path, *, old: Path | None = None, new: Path | None = None
) -> Run:
    """hubctl audit verify-consistency, fully offline (--hub-key and --proof)."""
    return run(
        capsys,
        "audit",
        "verify-consistency",
        "--old",
        str(old or log.old_note),
        "--new",
        str(new or log.new_note),
        "--proof",
        str(proof),
        "--hub-key",
        log.hub_key,
    )


def test_every_event_is_included_in_the_newer_checkpoint_offline(log, offline, capsys):
    assert 0 < log.old_size < log.new_size
    for index in range(log.new_size):
        result = verify_inclusion(
            capsys,
            log,
            index,
            inclusion_file(log, index, log.new_size),
            "--leaf-hash",
            log.leaves[index].hex(),
        )

        assert result.status == 0, result.err
        assert result.out.startswith(f"included: event {index} is in the tree of size {log.new_size}")


def test_the_newer_checkpoint_extends_the_older_one_offline(log, offline, capsys):
    result = verify_consistency(capsys, log, consistency_file(log, log.old_size, log.new_size))

    assert result.status == 0, result.err
    assert "the newer checkpoint extends the older one" in result.out


def test_json_summaries_name_the_checkpoint_and_the_key(log, offline, capsys):
    result = verify_inclusion(capsys, log, 1, inclusion_file(log, 1, log.new_size), "--json")

    summary = json.loads(result.out)
    assert summary["valid"] and summary["included"]
    assert (summary["size"], summary["leaf_hash"]) == (log.new_size, log.leaves[1].hex())
    assert summary["hub_key"] == log.hub_key
    assert summary["hub_key_source"] == "given with --hub-key"


@pytest.mark.parametrize(
    ("line", "text"), [(1, "999"), (1, "+{size}"), (2, "A" * 43 + "="), (0, "evil.example/log")]
)
def test_a_tampered_note_exits_1(log, offline, capsys, line, text):
    tampered = log.tmp / "tampered.note"
    tampered.write_text(note_with_line(log.new_note, line, text.format(size=log.new_size)), encoding="utf-8")

    result = verify_inclusion(capsys, log, 0, inclusion_file(log, 0, log.new_size), note=tampered)

    assert result.status == 1
    assert result.err.startswith("hubctl: not included:") and str(tampered) in result.err


def test_a_note_without_the_hubs_signature_exits_1(log, offline, capsys):
    unsigned = log.tmp / "unsigned.note"
    unsigned.write_text(note_with_line(log.new_note, 4, ""), encoding="utf-8")

    result = verify_inclusion(capsys, log, 0, inclusion_file(log, 0, log.new_size), note=unsigned)

    assert result.status == 1 and "no valid signature" in result.err


@pytest.mark.parametrize("part", ["path", "leaf_hash"])
def test_an_inclusion_proof_with_one_hash_flipped_exits_1(log, offline, capsys, part):
    proof = json.loads(inclusion_file(log, 2, log.new_size).read_text())
    proof[part] = [flipped(proof["path"][0]), *proof["path"][1:]] if part == "path" else flipped(proof[part])

    result = verify_inclusion(capsys, log, 2, json_write(log.tmp / "flipped.json", proof))

    assert result.status == 1
    assert "does not lead to the checkpoint's root hash" in result.err


def test_a_consistency_proof_with_one_hash_flipped_exits_1(log, offline, capsys):
    proof = json.loads(consistency_file(log, log.old_size, log.new_size).read_text())
    proof["path"][-1] = flipped(proof["path"][-1])

    result = verify_consistency(capsys, log, json_write(log.tmp / "flipped.json", proof))

    assert result.status == 1 and result.err.startswith("hubctl: not consistent:")


def test_a_leaf_hash_other_than_the_proofs_exits_1(log, offline, capsys):
    result = verify_inclusion(
        capsys, log, 1, inclusion_file(log, 1, log.new_size), "--leaf-hash", log.leaves[2].hex()
    )

    assert result.status == 1 and "not the --leaf-hash given" in result.err


def test_an_old_checkpoint_forged_with_another_key_exits_1(log, offline, capsys):
    other_root = merkle.root_from_leaf_hashes([merkle.leaf_hash(b"rewritten")] * log.old_size)
    forged = log.tmp / "forged.note"
    forged.write_text(note_signed(log.origin, log.old_size, other_root, Ed25519PrivateKey.generate()))

    result = verify_consistency(capsys, log, consistency_file(log, log.old_size, log.new_size), old=forged)

    assert result.status == 1
    assert "--old" in result.err and "no valid signature by the hub's key" in result.err


def test_a_rewritten_history_signed_by_the_hub_is_not_consistent(log, offline, capsys):
    from hub.keys import signing_key

    rewritten = [merkle.leaf_hash(b"rewritten"), *log.leaves[1 : log.old_size]]
    old = log.tmp / "rewritten.note"
    old.write_text(
        note_signed(log.origin, log.old_size, merkle.root_from_leaf_hashes(rewritten), signing_key())
    )

    result = verify_consistency(capsys, log, consistency_file(log, log.old_size, log.new_size), old=old)

    assert result.status == 1 and "history was rewritten" in result.err


def test_checkpoints_given_the_wrong_way_round_exit_1(log, offline, capsys):
    proof = consistency_file(log, log.old_size, log.new_size)

    result = verify_consistency(capsys, log, proof, old=log.new_note, new=log.old_note)

    assert result.status == 1 and "is larger than the newer one" in result.err


def test_the_same_checkpoint_is_consistent_with_itself_without_a_proof(log, offline, capsys):
    result = run(
        capsys,
        "--api-key",
        "unused",
        "audit",
        "verify-consistency",
        "--old",
        str(log.new_note),
        "--new",
        str(log.new_note),
        "--hub-key",
        log.hub_key,
    )

    assert result.status == 0, result.err


def test_an_event_beyond_the_checkpoint_is_not_included(log, offline, capsys):
    result = verify_inclusion(
        capsys, log, log.old_size, inclusion_file(log, log.old_size, log.new_size), note=log.old_note
    )

    assert result.status == 1 and f"beyond the checkpoint's tree of size {log.old_size}" in result.err


@pytest.mark.parametrize(("positions", "expected"), [({"index": 1}, "index 1"), ({"size": 1}, "size 1")])
def test_a_saved_proof_for_other_positions_exits_1(log, offline, capsys, positions, expected):
    proof = {**json.loads(inclusion_file(log, 0, log.new_size).read_text()), "index": 0, "size": log.new_size}

    result = verify_inclusion(capsys, log, 0, json_write(log.tmp / "other.json", {**proof, **positions}))

    assert result.status == 1 and f"the proof file is for {expected}" in result.err


@pytest.mark.parametrize("content", ["not json", "[]", '{"leaf_hash": "00", "path": []}', '{"path": "ab"}'])
def test_a_malformed_proof_file_exits_1(log, offline, capsys, content):
    proof = log.tmp / "bad.json"
    proof.write_text(content)

    result = verify_inclusion(capsys, log, 0, proof)

    assert result.status == 1 and result.err.startswith("hubctl: not included:")


def test_hubctls_note_verifier_agrees_with_the_hubs(log, settings):
    # hubctl names the key by the note's origin and takes the key as hex; the hub names it by its setting.
    from accounts.audit.checkpoints import hub_public_key

    other = note_signed(log.origin, 1, bytes(32), Ed25519PrivateKey.generate()).split("\n\n")[1]
    for note in (log.old_note.read_text(), log.new_note.read_text() + other):
        ours = audit.checkpoint_verify(note.encode(), bytes.fromhex(log.hub_key), "note")
        hubs = note_verify(note, hub_public_key(), key_name=settings.HUB_AUDIT_ORIGIN)
        assert ours == hubs


def test_notes_are_parsed_strictly():
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    good = note_signed("example.org/log", 7, bytes(range(32)), key)

    assert note_verify(good, public).size == 7
    for bad in (
        good.replace("\n7\n", "\n07\n"),
        good.replace("\n\n", "\n"),
        good.rstrip("\n"),
        good.replace("\u2014", "-"),
        good.replace("\r", "").replace("\n", "\r\n"),
    ):
        with pytest.raises(CheckpointError):
            note_verify(bad, public)


@pytest.mark.parametrize(
    "argv",
    [
        [
            "verify-inclusion",
            "--checkpoint",
            "/nonexistent.note",
            "--index",
            "0",
            "--hub-key",
            "00" * 32,
            "--proof",
            "x",
        ],
        ["verify-inclusion", "--checkpoint", "x.note", "--index", "-1"],
        ["verify-inclusion", "--checkpoint", "x.note", "--index", "0", "--leaf-hash", "zz"],
        ["verify-consistency", "--old", "x.note"],
        ["proof", "--out", "proof.json"],
        ["proof", "--index", "3", "--out", "proof.json"],
        ["proof", "--index", "3", "--size", "3", "--out", "proof.json"],
        ["proof", "--index", "0", "--size", "3", "--first", "1", "--second", "2", "--out", "proof.json"],
        ["proof", "--first", "3", "--second", "2", "--out", "proof.json"],
        ["proof", "--first", "0", "--second", "2", "--out", "proof.json"],
        ["proof", "--first", "1", "--second", "2", "--out", "/nonexistent/proof.json"],
        ["checkpoint", "--save", "/nonexistent/x.note"],
    ],
)
def test_usage_errors_exit_2_before_any_request(offline, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUB_API_KEY", "test-key")

    try:
        status = main(["audit", *argv])
    except SystemExit as exited:  # argparse's own usage errors
        status = exited.code

    assert status == 2


def test_a_bad_hub_key_exits_2(log, offline, capsys):
    result = run(
        capsys,
        "audit",
        "verify-inclusion",
        "--checkpoint",
        str(log.new_note),
        "--index",
        "0",
        "--proof",
        str(inclusion_file(log, 0, log.new_size)),
        "--hub-key",
        "abcd",
    )

    assert result.status == 2 and "--hub-key" in result.err


@pytest.mark.parametrize(
    "command", [[], ["checkpoint"], ["verify-inclusion"], ["verify-consistency"], ["proof"]]
)
def test_every_audit_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["audit", *command, "--help"])

    assert exited.value.code == 0
    assert "usage: hubctl audit" in capsys.readouterr().out


# -- end to end against the real hub (Django's live server) --------------------------------


def hub(capsys, live: Live | dict, *argv: str) -> Run:
    """Run hubctl audit against the live hub with the auditor's key."""
    url, key = (live.url, live.key) if isinstance(live, Live) else (live["url"], live["key"])
    return run(capsys, "--hub", url, "--api-key", key, "audit", *argv)


def leaf_hash_of(live: Live, seq: int) -> str:
    """An event's leaf hash as an auditor reads it from GET /api/v1/audit."""
    request = urllib.request.Request(
        f"{live.url}/api/v1/audit?limit=1000", headers={"Authorization": f"Bearer {live.key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the test's live server)
        events = json.load(response)["results"]
    return next(event["leaf_hash"] for event in events if event["seq"] == seq)


@pytest.fixture
def live(live_server, auditor, brand_reporter, tmp_path, capsys) -> Live:
    """Events, a checkpoint saved with hubctl, more events, a second checkpoint saved with hubctl."""
    from accounts.audit.checkpoints import checkpoint_create

    connection = {"url": live_server.url, "key": key_for(auditor)}
    sizes = []
    for name, reports in (("old.note", range(0, 2)), ("new.note", range(2, 4))):
        for n in reports:
            report_make(brand_reporter, seller_identifiers(n))
        checkpoint_create()
        saved = hub(capsys, connection, "checkpoint", "--save", str(tmp_path / name), "--json")
        assert saved.status == 0, saved.err
        sizes.append(json.loads(saved.out)["size"])
    return Live(
        connection["url"], connection["key"], tmp_path, tmp_path / "old.note", tmp_path / "new.note", *sizes
    )


@pytest.mark.django_db(transaction=True)
def test_an_old_event_is_in_the_new_checkpoint_which_extends_the_old_one(live, capsys):
    included = hub(
        capsys,
        live,
        "verify-inclusion",
        "--checkpoint",
        str(live.new_note),
        "--index",
        "1",
        "--leaf-hash",
        leaf_hash_of(live, 1),
    )
    consistent = hub(
        capsys, live, "verify-consistency", "--old", str(live.old_note), "--new", str(live.new_note)
    )

    assert 0 < live.old_size < live.new_size
    assert included.status == 0, included.err
    assert included.out.startswith(f"included: event 1 is in the tree of size {live.new_size}")
    assert f"fetched from {live.url}/api/v1/keys" in included.out
    assert consistent.status == 0, consistent.err
    assert consistent.out.startswith("consistent: the newer checkpoint extends the older one")


@pytest.mark.django_db(transaction=True)
def test_a_saved_checkpoint_is_the_hubs_signed_note(live, settings):
    from accounts.audit.checkpoints import hub_public_key
    from accounts.audit.models import AuditCheckpoint

    note = live.new_note.read_text()

    assert note == AuditCheckpoint.objects.get(size=live.new_size).note
    assert note_verify(note, hub_public_key(), key_name=settings.HUB_AUDIT_ORIGIN).size == live.new_size


@pytest.mark.django_db(transaction=True)
def test_saved_proofs_verify_with_no_hub_at_all(live, capsys, monkeypatch):
    from accounts.audit.checkpoints import hub_public_key

    inclusion, consistency = live.tmp / "inclusion.json", live.tmp / "consistency.json"
    assert (
        hub(
            capsys, live, "proof", "--index", "0", "--size", str(live.new_size), "--out", str(inclusion)
        ).status
        == 0
    )
    assert (
        hub(
            capsys,
            live,
            "proof",
            "--first",
            str(live.old_size),
            "--second",
            str(live.new_size),
            "--out",
            str(consistency),
        ).status
        == 0
    )
    monkeypatch.setattr(HubClient, "_send", lambda *args: pytest.fail("hubctl reached the hub"))
    offline_key = ["--hub-key", hub_public_key().hex()]

    included = run(
        capsys,
        "audit",
        "verify-inclusion",
        "--checkpoint",
        str(live.new_note),
        "--index",
        "0",
        "--proof",
        str(inclusion),
        *offline_key,
    )
    consistent = run(
        capsys,
        "audit",
        "verify-consistency",
        "--old",
        str(live.old_note),
        "--new",
        str(live.new_note),
        "--proof",
        str(consistency),
        *offline_key,
    )

    assert json.loads(inclusion.read_text())["index"] == 0
    assert included.status == 0, included.err
    assert consistent.status == 0, consistent.err


@pytest.mark.django_db(transaction=True)
def test_a_tampered_note_exits_1_against_the_hub(live, capsys):
    tampered = live.tmp / "tampered.note"
    tampered.write_text(note_with_line(live.new_note, 1, str(live.new_size - 1)))

    result = hub(capsys, live, "verify-inclusion", "--checkpoint", str(tampered), "--index", "0")

    assert result.status == 1 and "no valid signature" in result.err


@pytest.mark.django_db(transaction=True)
def test_a_saved_proof_with_one_hash_flipped_exits_1(live, capsys):
    proof = live.tmp / "inclusion.json"
    hub(capsys, live, "proof", "--index", "1", "--size", str(live.new_size), "--out", str(proof))
    saved = json.loads(proof.read_text())
    saved["path"][0] = flipped(saved["path"][0])

    result = hub(
        capsys,
        live,
        "verify-inclusion",
        "--checkpoint",
        str(live.new_note),
        "--index",
        "1",
        "--proof",
        str(json_write(proof, saved)),
    )

    assert result.status == 1 and "does not lead to the checkpoint's root hash" in result.err


@pytest.mark.django_db(transaction=True)
def test_a_leaf_hash_mismatch_exits_1_against_the_hub(live, capsys):
    result = hub(
        capsys,
        live,
        "verify-inclusion",
        "--checkpoint",
        str(live.new_note),
        "--index",
        "1",
        "--leaf-hash",
        leaf_hash_of(live, 2),
    )

    assert result.status == 1 and "not the --leaf-hash given" in result.err


@pytest.mark.django_db(transaction=True)
def test_an_old_checkpoint_re_signed_by_another_key_exits_1(live, capsys):
    lines = live.old_note.read_text().split("\n")
    forged = live.tmp / "forged.note"
    other_key = Ed25519PrivateKey.generate()
    forged.write_text(note_signed(lines[0], live.old_size, merkle.leaf_hash(b"rewritten"), other_key))

    result = hub(capsys, live, "verify-consistency", "--old", str(forged), "--new", str(live.new_note))

    assert result.status == 1 and "no valid signature by the hub's key" in result.err


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_signed_by_another_key_is_not_saved(live, capsys):
    target = live.tmp / "refused.note"

    result = hub(capsys, live, "checkpoint", "--save", str(target), "--hub-key", "11" * 32)

    assert result.status == 1 and "was not saved" in result.err
    assert not target.exists()


@pytest.mark.django_db(transaction=True)
def test_members_without_the_audit_capability_are_refused(live_server, brand_reporter, tmp_path, capsys):
    result = hub(
        capsys,
        {"url": live_server.url, "key": key_for(brand_reporter)},
        "checkpoint",
        "--save",
        str(tmp_path / "x.note"),
    )

    assert result.status == 1 and "\nhubctl: hub error: HTTP 403" in result.err
