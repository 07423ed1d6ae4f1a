"""hubctl bulk end to end against the real hub (Django's live server): upload a file of sellers, follow the
job's progress, download its results; --tokens-only never sends a raw value; status, cancel and usage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from hubcore.identifiers import normalise
from hubctl.cli import main
from hubctl.client import HubClient
from hubctl.commands.bulk import progress_line
from tests.factories import broker_stand_in

ROWS = 50


@dataclass(frozen=True)
class Run:
    """One hubctl run: exit status and what it printed."""

    status: int
    out: str
    err: str


@dataclass(frozen=True)
class Sent:
    """One request hubctl sent: its path and everything it carried (JSON body or uploaded file)."""

    path: str
    body: str


def hubctl(capsys, url: str, key: str, *argv: str) -> Run:
    """Run hubctl against the live hub and capture its output."""
    status = main(["--hub", url, "--api-key", key, *argv])
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


def _phone(n: int) -> str:
    return f"+86 138 0013 {8000 + n:04d}"


def sellers_csv(tmp_path: Path, rows: int = ROWS) -> Path:
    """Sellers 0..rows-1 with a phone and an email each (the factories' seller_identifiers)."""
    path = tmp_path / "sellers.csv"
    lines = ["ref,phone,email"] + [f"seller-{n},{_phone(n)},seller{n}@example.com" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def leak_needles(rows: int = ROWS) -> list[str]:
    """Raw and canonical spellings of every seller's identifiers."""
    needles = []
    for n in range(rows):
        needles += [
            _phone(n),
            normalise("phone", _phone(n), default_country="CN").value,
            f"138001{38000 + n}",
            f"seller{n}@example.com",
        ]
    return needles


@pytest.fixture
def sent(monkeypatch) -> list[Sent]:
    """Every request HubClient sends, JSON bodies and uploaded files alike, recorded, then really sent."""
    requests: list[Sent] = []
    real_send, real_bytes, real_multipart = HubClient._send, HubClient._send_bytes, HubClient._send_multipart

    def spy_send(self, method, path, body):
        requests.append(Sent(path, json.dumps(body)))
        return real_send(self, method, path, body)

    def spy_bytes(self, method, path, body):
        requests.append(Sent(path, json.dumps(body)))
        return real_bytes(self, method, path, body)

    def spy_multipart(self, path, file_path, content_type, fields):
        requests.append(Sent(path, Path(file_path).read_text(encoding="utf-8")))
        return real_multipart(self, path, file_path, content_type, fields)

    monkeypatch.setattr(HubClient, "_send", spy_send)
    monkeypatch.setattr(HubClient, "_send_bytes", spy_bytes)
    monkeypatch.setattr(HubClient, "_send_multipart", spy_multipart)
    return requests


@pytest.fixture
def hub(live_server, eager_celery, settings, brand_reporter, reviewer, platform_analyst):  # noqa: F811
    """The live hub with sellers 0-2 reported and accepted; the platform analyst's key."""
    from tests.factories import key_for, report_make_accepted, seller_identifiers

    settings.HUB_BULK_CHUNK_ROWS = 20
    for n in range(3):
        report_make_accepted(brand_reporter, reviewer, seller_identifiers(n))
    return {"url": live_server.url, "key": key_for(platform_analyst)}


def _results(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db(transaction=True)
def test_bulk_uploads_follows_progress_and_saves_one_result_per_row(hub, tmp_path, capsys):
    out = tmp_path / "results.jsonl"

    run = hubctl(
        capsys,
        hub["url"],
        hub["key"],
        "bulk",
        "--purpose",
        "seller_onboarding",
        str(sellers_csv(tmp_path)),
        "--out",
        str(out),
        "--poll",
        "0.1",
    )

    assert run.status == 0, run.err
    rows = _results(out)
    assert [row["ref"] for row in rows] == [f"seller-{n}" for n in range(ROWS)]
    assert [row["level"] for row in rows[:3]] == ["reported"] * 3 and rows[3]["level"] == "none"
    assert (
        f"[{'#' * 30}] {ROWS}/{ROWS} rows" in run.err and "\r" not in run.err
    )  # not a TTY: one line per poll
    assert run.out == ""


@pytest.mark.django_db(transaction=True)
def test_bulk_prints_csv_results_to_stdout(hub, tmp_path, capsys):
    run = hubctl(
        capsys,
        hub["url"],
        hub["key"],
        "bulk",
        "--purpose",
        "seller_onboarding",
        str(sellers_csv(tmp_path, 5)),
        "--results-format",
        "csv",
        "--poll",
        "0.1",
    )

    assert run.status == 0, run.err
    lines = run.out.splitlines()
    assert (
        lines[0].startswith('"ref","error","level"')
        and len(lines) == 6
        and lines[1].startswith('"seller-0","","reported"')
    )


@pytest.mark.django_db(transaction=True)
def test_tokens_only_uploads_tokens_and_sends_no_raw_value(hub, tmp_path, capsys, sent):
    out = tmp_path / "results.jsonl"

    run = hubctl(
        capsys,
        hub["url"],
        hub["key"],
        "bulk",
        "--purpose",
        "seller_onboarding",
        str(sellers_csv(tmp_path)),
        "--tokens-only",
        "--out",
        str(out),
        "--poll",
        "0.1",
    )

    assert run.status == 0, run.err
    rows = _results(out)
    assert len(rows) == ROWS and [row["level"] for row in rows[:4]] == ["reported"] * 3 + ["none"]
    upload = [request for request in sent if request.path == "/api/v1/bulk-checks"]
    assert len(upload) == 1
    uploaded = [json.loads(line) for line in upload[0].body.splitlines()]
    assert len(uploaded) == ROWS and all(
        set(i) == {"type", "token", "key_version"} for row in uploaded for i in row["identifiers"]
    )
    needles = leak_needles()
    for request in sent:
        assert not [needle for needle in needles if needle in request.body], request.path
        assert '"value"' not in request.body


@pytest.mark.django_db(transaction=True)
def test_status_cancel_and_results_of_a_running_job(hub, tmp_path, capsys, monkeypatch):
    from sharing.bulk.tasks import bulk_chunk_task
    from sharing.models import BulkChunk, BulkJob, BulkJobStatus

    broker_stand_in(monkeypatch, bulk_chunk_task)  # workers never pick it up
    submitted = hubctl(
        capsys,
        hub["url"],
        hub["key"],
        "bulk",
        "--purpose",
        "seller_onboarding",
        str(sellers_csv(tmp_path)),
        "--no-wait",
    )
    job_id = submitted.out.strip()
    bulk_chunk_task(BulkChunk.objects.filter(job__public_id=job_id).order_by("number").first().pk)

    status = hubctl(capsys, hub["url"], hub["key"], "bulk-status", job_id, "--json")
    early = hubctl(capsys, hub["url"], hub["key"], "bulk-results", job_id, "--out", str(tmp_path / "r.jsonl"))
    cancelled = hubctl(capsys, hub["url"], hub["key"], "bulk-cancel", job_id, "--reason", "wrong file")
    again = hubctl(capsys, hub["url"], hub["key"], "bulk-cancel", job_id)

    assert submitted.status == 0, submitted.err
    assert json.loads(status.out)["status"] == "running" and json.loads(status.out)["done"] == 20
    assert early.status == 1 and "HTTP 409" in early.err and not (tmp_path / "r.jsonl").exists()
    assert cancelled.status == 0 and "cancelled" in cancelled.out and "20/50 rows" in cancelled.out
    assert again.status == 1 and "HTTP 409" in again.err
    assert BulkJob.objects.get(public_id=job_id).status == BulkJobStatus.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_following_a_job_that_gets_cancelled_exits_1(hub, tmp_path, capsys, monkeypatch):
    from accounts.actors import Actor
    from sharing.bulk.services import bulk
    from sharing.bulk.tasks import bulk_chunk_task
    from sharing.models import BulkJob
    from sharing.models.bulk import BULK_ACTIVE_STATUSES

    def cancel_instead(chunk_id):
        """Instead of the workers, the member cancels the job as soon as it is stored."""
        job = BulkJob.objects.get(chunks__pk=chunk_id)
        if job.status in BULK_ACTIVE_STATUSES:
            bulk.bulk_cancel(job=job, actor=Actor(member=job.member))

    broker_stand_in(monkeypatch, bulk_chunk_task, send=cancel_instead)
    out = tmp_path / "results.jsonl"

    run = hubctl(
        capsys,
        hub["url"],
        hub["key"],
        "bulk",
        "--purpose",
        "seller_onboarding",
        str(sellers_csv(tmp_path, 5)),
        "--out",
        str(out),
        "--poll",
        "0.1",
    )

    assert run.status == 1 and "is cancelled; no results" in run.err and not out.exists()


@pytest.mark.parametrize("command", ["bulk", "bulk-status", "bulk-cancel", "bulk-results"])
def test_every_bulk_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])

    assert exited.value.code == 0
    assert f"usage: hubctl {command}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["bulk", "--purpose", "seller_onboarding", "sellers.txt"], "cannot tell the format"),
        (
            ["bulk", "--purpose", "seller_onboarding", "sellers.jsonl", "--tokens-only"],
            "--tokens-only reads a ref CSV",
        ),
        (["bulk", "--purpose", "seller_onboarding", "missing.csv"], "file not found"),
        (["bulk-status", "not-a-uuid"], "bulk job id must be a UUID"),
    ],
)
def test_bulk_usage_errors_exit_2_before_any_request(argv, expected, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("sellers.txt", "sellers.jsonl"):
        (tmp_path / name).write_text('{"ref": "a", "identifiers": []}\n', encoding="utf-8")
    monkeypatch.setenv("HUB_API_KEY", "test-key")
    monkeypatch.setattr(HubClient, "_send", lambda *a: pytest.fail("no request expected"))

    assert main(argv) == 2
    assert expected in capsys.readouterr().err


def test_the_progress_bar():
    line = progress_line({"status": "running", "done": 4500, "total": 10000, "rate": 850.0, "eta_seconds": 6})

    assert line.startswith(f"[{'#' * 13}{'.' * 17}] 4500/10000 rows  850 rows/s  ETA 6 s")
    assert "ETA ?" in progress_line(
        {"status": "queued", "done": 0, "total": 10, "rate": 0, "eta_seconds": None}
    )


class _Terminal:
    """A stderr that says it is a terminal and keeps what is written."""

    def __init__(self):
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_on_a_terminal_the_bar_is_redrawn_in_place(monkeypatch):
    from hubctl.commands.bulk import follow

    answers = iter(
        [
            {"status": "running", "done": 5, "total": 10, "rate": 5, "eta_seconds": 1},
            {"status": "done", "done": 10, "total": 10, "rate": 5, "eta_seconds": 0},
        ]
    )
    monkeypatch.setattr(HubClient, "bulk_status", lambda self, job_id: next(answers))
    terminal = _Terminal()

    final = follow(HubClient("http://127.0.0.1:9", "k"), "id", poll=0.01, stream=terminal)

    assert final["status"] == "done"
    assert terminal.text.count("\r") == 2 and terminal.text.endswith("\n") and terminal.text.count("\n") == 1
    assert "10/10 rows" in terminal.text


def test_an_upload_waits_for_its_answer_in_proportion_to_the_file(tmp_path, monkeypatch):
    # The hub answers only once every row is stored: a big file must not hit the 30 s per-request timeout.
    from hubctl.client import bulk as bulk_client

    waited: list[float] = []
    monkeypatch.setattr(
        bulk_client.ClientBase,
        "_exchange",
        lambda self, request, timeout=None: (waited.append(timeout or self.timeout), (202, b'{"id": "x"}'))[
            1
        ],
    )
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    small.write_bytes(b"ref,phone\n")
    big.write_bytes(b"x" * 2_000_000)
    client = HubClient("http://hub.invalid", "key", timeout=30)
    monkeypatch.setattr(bulk_client, "UPLOAD_ANSWER_SECONDS_PER_MB", 60.0)

    client.bulk_submit(small, purpose="seller_onboarding")
    client.bulk_submit(big, purpose="seller_onboarding")

    assert waited[0] == 30 and waited[1] == pytest.approx(120.0)
