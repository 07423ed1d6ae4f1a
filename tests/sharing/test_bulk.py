"""Bulk screening: uploads become token rows, chunks become results equal to single checks."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.actors import Actor
from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind, Role
from sharing.bulk.services import bulk, bulk_files, bulk_match
from sharing.bulk.tasks import bulk_chunk_task
from sharing.checks.services.checks import check_run
from sharing.models import BulkChunk, BulkChunkStatus, BulkJob, BulkJobStatus, BulkResult, BulkRow
from sharing.subjects.services.tokens import RawIdentifier, identifiers_tokenise
from tests.factories import client_for, persona, report_make_accepted, seller_identifiers, web_login

pytestmark = pytest.mark.django_db

INVALID_PHONE = "call me maybe 12"


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.HUB_BULK_CHUNK_ROWS = 40


@pytest.fixture
def reported(brand_reporter, other_brand_reporter, reviewer):
    """Sellers 0-4 reported by one brand, sellers 0-1 also by another (so they are listed)."""
    for n in range(5):
        report_make_accepted(brand_reporter, reviewer, seller_identifiers(n))
    for n in range(2):
        report_make_accepted(other_brand_reporter, reviewer, [seller_identifiers(n)[1]])


def _phone(n: int) -> str:
    return f"+86 138 0013 {8000 + n:04d}"


def _csv_file(rows: int) -> bytes:
    """Sellers 0..rows-1; every 25th row has an invalid phone, every 7th an email only."""
    lines = ["ref,phone,email"]
    for n in range(rows):
        phone = INVALID_PHONE if n % 25 == 24 else "" if n % 7 == 6 else _phone(n)
        lines.append(f"seller-{n},{phone},seller{n}@example.com")
    return ("\n".join(lines) + "\n").encode()


def _token_form(identifier_type: str, value: str) -> dict:
    """What a member sends after deriving the token obliviously (computed here the direct way)."""
    item = identifiers_tokenise(identifiers=[RawIdentifier(identifier_type, value)], default_country="CN")[0]
    return {"type": item.type, "token": item.token, "key_version": item.key_version}


def _jsonl_file(rows: int) -> bytes:
    """Raw rows, token-form rows (every 3rd), and an invalid token every 30th row."""
    lines = []
    for n in range(rows):
        identifiers = [{"type": "phone", "value": _phone(n)}]
        if n % 3 == 0:
            identifiers = [_token_form("email", f"seller{n}@example.com")]
        if n % 30 == 29:
            identifiers = [{"type": "email", "token": "zz" * 64, "key_version": 1}]
        lines.append(json.dumps({"ref": f"seller-{n}", "identifiers": identifiers}))
    return ("\n".join(lines) + "\n").encode()


def _upload(member, content: bytes, name: str = "sellers.csv"):
    return client_for(member).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def _submit(member, content: bytes, name: str = "sellers.csv") -> BulkJob:
    response = _upload(member, content, name)
    assert response.status_code == 202, response.content
    return BulkJob.objects.get(public_id=response.json()["id"])


def _run_chunks(job: BulkJob) -> None:
    """What the bulk workers do: run every chunk's task (here in-process, by calling it)."""
    for chunk_id in BulkChunk.objects.filter(job=job).order_by("number").values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)


def _results_jsonl(member, job: BulkJob) -> list[dict]:
    response = client_for(member).get(f"/api/v1/bulk-checks/{job.public_id}/results?format=jsonl")
    assert response.status_code == 200, response.content
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


def test_a_csv_job_answers_every_row_as_the_single_check_would(reported, platform_analyst):
    job = _submit(platform_analyst, _csv_file(300))
    _run_chunks(job)

    rows = _results_jsonl(platform_analyst, job)

    assert [r["ref"] for r in rows] == [f"seller-{n}" for n in range(300)]
    assert BulkChunk.objects.filter(job=job).count() == 8
    errors = [r for r in rows if "error" in r]
    assert [r["ref"] for r in errors] == [f"seller-{n}" for n in range(24, 300, 25)]
    assert all(
        errors[0]["error"].startswith("identifiers[0].") and INVALID_PHONE not in e["error"] for e in errors
    )
    for n in (0, 1, 3, 4, 6, 100):
        identifiers = [RawIdentifier(i["type"], i["value"]) for i in seller_identifiers(n)]
        if n % 7 == 6:
            identifiers = identifiers[1:]
        single = bulk_match.shareable(
            check_run(
                purpose="seller_onboarding", identifiers=identifiers, actor=Actor(member=platform_analyst)
            )
        )
        assert {k: v for k, v in rows[n].items() if k != "ref"} == single, n
    assert [rows[n]["level"] for n in (0, 1, 3, 100)] == ["listed", "listed", "reported", "none"]


def test_a_jsonl_job_takes_raw_and_token_rows(reported, courier_analyst):
    job = _submit(courier_analyst, _jsonl_file(120), "sellers.jsonl")
    _run_chunks(job)

    rows = _results_jsonl(courier_analyst, job)

    assert len(rows) == 120 and len({r["ref"] for r in rows}) == 120
    assert [r["ref"] for r in rows if "error" in r] == ["seller-29", "seller-59", "seller-89", "seller-119"]
    assert rows[0]["level"] == "listed" and rows[0]["matched_types"] == ["email"]  # a token row
    assert rows[4]["level"] == "reported" and rows[4]["matched_types"] == ["phone"]  # a raw row
    assert rows[10]["level"] == "none"


def test_rerunning_a_chunk_duplicates_nothing(reported, platform_analyst):
    job = _submit(platform_analyst, _csv_file(100))
    _run_chunks(job)
    chunk = BulkChunk.objects.filter(job=job).order_by("number").first()

    assert bulk_chunk_task(chunk.pk) is False  # already done: nothing to do
    # As if results were written but the worker died before the chunk flipped to done.
    BulkChunk.objects.filter(pk=chunk.pk).update(status=BulkChunkStatus.PENDING)
    BulkJob.objects.filter(pk=job.pk).update(done=job.total - 40, status=BulkJobStatus.RUNNING)
    assert bulk_chunk_task(chunk.pk) is True

    job.refresh_from_db()
    indexes = list(BulkResult.objects.filter(job=job).values_list("index", flat=True))
    assert sorted(indexes) == list(range(100)) and (job.done, job.status) == (100, BulkJobStatus.DONE)


def test_status_shows_progress_rate_and_eta(reported, platform_analyst):
    job = _submit(platform_analyst, _csv_file(100))
    client = client_for(platform_analyst)

    before = client.get(f"/api/v1/bulk-checks/{job.public_id}").json()
    bulk_chunk_task(BulkChunk.objects.get(job=job, number=0).pk)
    during = client.get(f"/api/v1/bulk-checks/{job.public_id}").json()
    _run_chunks(job)
    after = client.get(f"/api/v1/bulk-checks/{job.public_id}").json()

    assert before == {
        "id": str(job.public_id),
        "status": "queued",
        "purpose": "seller_onboarding",
        "done": 0,
        "total": 100,
        "rate": 0.0,
        "eta_seconds": None,
    }
    assert (
        during["status"] == "running"
        and during["done"] == 40
        and during["rate"] > 0
        and during["eta_seconds"] >= 0
    )
    assert (after["status"], after["done"], after["eta_seconds"]) == ("done", 100, 0)
    assert AuditEvent.objects.filter(action=AuditTag.BULK_READ, actor_member=platform_analyst).count() == 3


def test_csv_results_have_a_header_and_one_line_per_row(reported, platform_analyst):
    job = _submit(platform_analyst, _csv_file(50))
    _run_chunks(job)

    response = client_for(platform_analyst).get(f"/api/v1/bulk-checks/{job.public_id}/results?format=csv")
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert len(table) == 50 and table[0]["ref"] == "seller-0" and table[0]["level"] == "listed"
    assert table[0]["matched_types"] == "email;phone" and table[24]["error"]
    event = AuditEvent.objects.get(action=AuditTag.BULK_RESULTS_DOWNLOADED)
    assert event.details == {"rows": 50, "format": "csv"}


def test_results_wait_for_the_job_and_the_format_must_be_known(platform_analyst):
    job = _submit(platform_analyst, _csv_file(10))
    client = client_for(platform_analyst)

    assert client.get(f"/api/v1/bulk-checks/{job.public_id}/results").status_code == 409
    assert client.get(f"/api/v1/bulk-checks/{job.public_id}/results?format=xml").status_code == 400


def test_a_cancelled_job_stops(platform_analyst):
    job = _submit(platform_analyst, _csv_file(100))
    client = client_for(platform_analyst)

    cancelled = client.post(f"/api/v1/bulk-checks/{job.public_id}/cancel")
    _run_chunks(job)

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert not BulkResult.objects.filter(job=job).exists()
    assert client.post(f"/api/v1/bulk-checks/{job.public_id}/cancel").status_code == 409
    assert AuditEvent.objects.filter(action=AuditTag.BULK_CANCELLED).count() == 1


def test_another_organisations_job_is_not_found(platform_analyst, courier_analyst):
    job = _submit(platform_analyst, _csv_file(10))
    _run_chunks(job)
    other = client_for(courier_analyst)

    assert other.get(f"/api/v1/bulk-checks/{job.public_id}").status_code == 404
    assert other.get(f"/api/v1/bulk-checks/{job.public_id}/results").status_code == 404
    assert other.post(f"/api/v1/bulk-checks/{job.public_id}/cancel").status_code == 404


def test_limits_answer_429(settings, platform_analyst):
    settings.HUB_BULK_CONCURRENT_JOBS, settings.HUB_BULK_JOBS_PER_DAY, settings.HUB_BULK_MAX_ROWS = 1, 2, 20
    first = _submit(platform_analyst, _csv_file(10))

    concurrent = _upload(platform_analyst, _csv_file(10))
    client_for(platform_analyst).post(f"/api/v1/bulk-checks/{first.public_id}/cancel")
    too_many_rows = _upload(platform_analyst, _csv_file(21))
    _submit(platform_analyst, _csv_file(20))
    BulkJob.objects.update(status=BulkJobStatus.DONE)
    third_today = _upload(platform_analyst, _csv_file(10))

    assert concurrent.status_code == 429 and "at most 1 at once" in concurrent.json()["error"]["message"]
    assert too_many_rows.status_code == 429 and "at most 20 rows" in too_many_rows.json()["error"]["message"]
    assert third_today.status_code == 429 and "per day" in third_today.json()["error"]["message"]
    assert BulkJob.objects.count() == 2


@pytest.mark.parametrize(
    "content,name",
    [
        (b"hello world\nthis is not a table\n", "notes.txt"),
        (b"seller,phone\ns-1,+86 138 0013 8000\n", "no-ref.csv"),
        (b"ref,phone,shoe_size\ns-1,+86 138 0013 8000,42\n", "unknown-column.csv"),
        (b"", "empty.csv"),
        (b"ref,phone\n", "header-only.csv"),
        (b"\xff\xfe\x00binary", "data.bin"),
        (b'{"ref": "s-1", "identifiers": [\n', "broken.jsonl"),
    ],
)
def test_a_malformed_file_is_refused_per_field(platform_analyst, content, name):
    response = _upload(platform_analyst, content, name)

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["file"]
    assert not BulkJob.objects.exists()


def test_a_request_without_a_file_is_refused(platform_analyst):
    response = client_for(platform_analyst).post("/api/v1/bulk-checks", {}, format="multipart")

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["file"]


def test_raw_values_are_never_stored(reported, platform_analyst):
    job = _submit(platform_analyst, _csv_file(60) + _jsonl_file(0))
    _run_chunks(job)

    stored = json.dumps(
        [
            list(BulkRow.objects.filter(job=job).values("ref", "tokens", "error")),
            list(BulkResult.objects.filter(job=job).values("ref", "result", "error")),
            list(AuditEvent.objects.filter(action__startswith="sharing:bulk").values("details")),
        ]
    )
    for n in range(60):
        assert "138 0013" not in stored and "8613800" not in stored
        assert f"seller{n}@" not in stored
    assert INVALID_PHONE not in stored


def test_a_key_without_the_bulk_scope_is_refused(platform_analyst):
    client = client_for(platform_analyst, scopes=["check"])

    response = client.post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", _csv_file(5))},
        format="multipart",
    )

    assert response.status_code == 403


def test_rights_owners_cannot_screen_in_bulk(brand_reporter):
    assert _upload(persona(OrganisationKind.RIGHTS_OWNER, Role.ADMIN), _csv_file(5)).status_code == 403


def test_the_sweeper_re_enqueues_chunks_whose_worker_died(monkeypatch, platform_analyst):
    enqueued: list[int] = []
    monkeypatch.setattr(bulk, "chunks_enqueue", enqueued.extend)
    job = _submit(platform_analyst, _csv_file(100))
    first, second, third = BulkChunk.objects.filter(job=job).order_by("number")
    bulk_chunk_task(first.pk)
    old = timezone.now() - timedelta(hours=1)
    # The second was taken by a worker that died; the third still waits in the queue behind it.
    BulkChunk.objects.filter(pk=second.pk).update(attempted_at=old, attempts=1)
    BulkChunk.objects.filter(pk=third.pk).update(attempted_at=old)

    assert bulk.bulk_sweep() == 1 and enqueued == [second.pk]
    assert bulk.bulk_sweep() == 0  # the lease was renewed as it was enqueued


def test_the_sweeper_re_enqueues_a_job_that_never_started(monkeypatch, platform_analyst):
    enqueued: list[int] = []
    monkeypatch.setattr(bulk, "chunks_enqueue", enqueued.extend)
    job = _submit(platform_analyst, _csv_file(100))
    BulkChunk.objects.filter(job=job).update(attempted_at=timezone.now() - timedelta(hours=1))

    assert bulk.bulk_sweep() == 3 and sorted(enqueued) == sorted(
        BulkChunk.objects.filter(job=job).values_list("pk", flat=True)
    )


def test_the_sweeper_deletes_expired_jobs(platform_analyst):
    job = _submit(platform_analyst, _csv_file(10))
    BulkJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1), status=BulkJobStatus.DONE
    )

    bulk.bulk_sweep()

    assert not BulkJob.objects.exists() and not BulkRow.objects.exists()


def test_a_large_upload_is_read_in_blocks_and_crlf_lines_work(settings, platform_analyst):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # so Django spools the upload to a temporary file
    content = _csv_file(500).replace(b"\n", b"\r\n")

    job = _submit(platform_analyst, content)

    assert job.total == 500 and BulkRow.objects.filter(job=job, ref="seller-499").exists()
    assert not BulkRow.objects.filter(job=job, ref__contains="\r").exists()


def test_an_endless_line_is_refused(platform_analyst):
    response = _upload(platform_analyst, b"ref,phone\n" + b"x" * (bulk_files.MAX_LINE_BYTES + 10))

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["file"]


def test_a_planted_canary_in_a_bulk_file_raises_the_alert(api, operator_admin, platform_analyst):
    from accounts.audit.models import Alert

    canary = {"type": "phone", "value": _phone(3)}
    assert (
        api(operator_admin)
        .post("/api/v1/canaries", {"identifiers": [canary], "label": "trap"}, format="json")
        .status_code
        == 201
    )
    job = _submit(platform_analyst, _csv_file(10))
    _run_chunks(job)
    BulkChunk.objects.filter(job=job).update(status=BulkChunkStatus.PENDING)
    _run_chunks(job)  # a rerun raises no second alert

    alert = Alert.objects.get(kind="canary_hit")
    assert alert.organisation == platform_analyst.organisation and alert.severity == "high"


def test_a_bulk_worker_rests_so_it_is_busy_only_its_duty_share(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HUB_BULK_DUTY_PERCENT = 25
    assert bulk.bulk_pause_after(2.0) == pytest.approx(6.0)
    settings.HUB_BULK_DUTY_PERCENT = 100
    assert bulk.bulk_pause_after(2.0) == 0
    settings.HUB_BULK_DUTY_PERCENT, settings.CELERY_TASK_ALWAYS_EAGER = 25, True
    assert (
        bulk.bulk_pause_after(2.0) == 0
    )  # in-process chunks run inside the upload request: never sleep there


# --- the bulk quota and the sweep rules over bulk rows (issue 11, finding 10) ---------------


def _bulk_used(member, bucket: str) -> int:
    from accounts.models import QuotaUsage

    return sum(
        QuotaUsage.objects.filter(organisation=member.organisation, bucket=bucket).values_list(
            "used", flat=True
        )
    )


def test_bulk_rows_draw_on_the_bulk_quota_per_identifier_type_not_the_check_quota(platform_analyst):
    _submit(platform_analyst, _csv_file(50))  # 48 valid phones (2 invalid, 7 rows without), 50 emails

    phones = sum(1 for n in range(50) if n % 25 != 24 and n % 7 != 6)
    assert (_bulk_used(platform_analyst, "bulk:phone"), _bulk_used(platform_analyst, "bulk:email")) == (
        phones,
        48,
    )
    assert _bulk_used(platform_analyst, "check:phone") == _bulk_used(platform_analyst, "check:email") == 0


def test_an_upload_over_the_bulk_quota_is_a_429_with_nothing_stored_and_the_refusal_on_record(
    settings, platform_analyst
):
    settings.HUB_QUOTA_BULK_ROWS_PER_DAY = 30
    _submit(platform_analyst, _csv_file(20))
    BulkJob.objects.update(status=BulkJobStatus.DONE)

    refused = _upload(platform_analyst, _csv_file(20))

    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 86_401
    assert (
        "bulk:email" in refused.json()["error"]["message"]
        or "bulk:phone" in refused.json()["error"]["message"]
    )
    assert BulkJob.objects.count() == 1 and BulkRow.objects.count() == 20
    assert _bulk_used(platform_analyst, "bulk:email") == 20  # the refused file took nothing
    denied = AuditEvent.objects.get(
        actor_member=platform_analyst, action=AuditTag.QUOTA_EXCEEDED.value, outcome="denied"
    )
    assert "bulk:" in denied.details["reason"]


def test_an_upload_the_remaining_bulk_quota_cannot_cover_is_refused_after_its_first_chunk_not_its_last(
    settings, platform_analyst, monkeypatch
):
    settings.HUB_QUOTA_BULK_ROWS_PER_DAY = 30
    _submit(platform_analyst, _csv_file(20))
    BulkJob.objects.update(status=BulkJobStatus.DONE)
    tokenised: list[int] = []
    real = bulk_files.identifiers_tokenise
    monkeypatch.setattr(
        bulk_files, "identifiers_tokenise", lambda **kwargs: tokenised.append(1) or real(**kwargs)
    )

    refused = _upload(platform_analyst, _csv_file(200))  # five chunks of 40 rows

    assert refused.status_code == 429 and "bulk:" in refused.json()["error"]["message"]
    assert len(tokenised) <= 40
    assert BulkJob.objects.count() == 1 and _bulk_used(platform_analyst, "bulk:email") == 20
    assert AuditEvent.objects.filter(
        actor_member=platform_analyst, action=AuditTag.QUOTA_EXCEEDED.value, outcome="denied"
    ).exists()


def test_every_bulk_limit_refusal_stays_on_record(settings, platform_analyst):
    settings.HUB_BULK_CONCURRENT_JOBS, settings.HUB_BULK_MAX_ROWS = 1, 20
    _submit(platform_analyst, _csv_file(10))

    concurrent = _upload(platform_analyst, _csv_file(10))
    BulkJob.objects.update(status=BulkJobStatus.DONE)
    too_many_rows = _upload(platform_analyst, _csv_file(21))

    assert (concurrent.status_code, too_many_rows.status_code) == (429, 429)
    reasons = list(
        AuditEvent.objects.filter(actor_member=platform_analyst, outcome="denied").values_list(
            "details__reason", flat=True
        )
    )
    assert len(reasons) == 2 and "at most 1 at once" in reasons[0] and "at most 20 rows" in reasons[1]


def _random_token_file(rows: int) -> bytes:
    import secrets

    from sharing.crypto.tokens import TOKEN_HEX_LENGTH, hub_oprf_key

    version = hub_oprf_key().version
    return "".join(
        json.dumps(
            {
                "ref": f"r-{n}",
                "identifiers": [
                    {
                        "type": "national_id",
                        "token": secrets.token_hex(TOKEN_HEX_LENGTH // 2),
                        "key_version": version,
                    }
                ],
            }
        )
        + "\n"
        for n in range(rows)
    ).encode()


def test_a_tokens_only_bulk_job_of_misses_raises_the_no_match_and_volume_alerts(settings, platform_analyst):
    from accounts.audit.models import Alert

    settings.HUB_SWEEP_BULK_MIN_ROWS, settings.HUB_SWEEP_BULK_HOURLY_ROWS = 60, 100
    job = _submit(platform_analyst, _random_token_file(100), name="tokens.jsonl")

    _run_chunks(job)

    alerts = {a.kind: a.details for a in Alert.objects.filter(organisation=platform_analyst.organisation)}
    assert alerts["no_match_sweep"]["source"] == "bulk" and alerts["no_match_sweep"]["misses"] >= 60
    assert alerts["volume_spike"] == {
        "checks": 100,
        "misses": 100,
        "window": alerts["volume_spike"]["window"],
        "source": "bulk",
    }
    answered = AuditEvent.objects.filter(
        action=AuditTag.BULK_CHUNK_ANSWERED.value, object_id=str(job.public_id)
    )
    assert sum(e.details["misses"] for e in answered) == 100 and sum(e.details["hits"] for e in answered) == 0
    assert _bulk_used(platform_analyst, "bulk:national_id") == 100


def test_a_rerun_chunk_is_counted_once_by_the_sweep_rules(settings, platform_analyst):
    from sharing.models import SweepWindow

    job = _submit(platform_analyst, _random_token_file(30), name="tokens.jsonl")
    _run_chunks(job)
    BulkChunk.objects.filter(job=job).update(status=BulkChunkStatus.PENDING)

    _run_chunks(job)

    window = SweepWindow.objects.get(organisation=platform_analyst.organisation)
    assert (window.bulk_rows, window.bulk_misses, window.checks) == (30, 30, 0)


def test_a_screening_job_that_finds_listed_sellers_raises_no_no_match_alert(
    settings, reported, platform_analyst
):
    from accounts.audit.models import Alert

    settings.HUB_SWEEP_BULK_MIN_ROWS = 5
    job = _submit(platform_analyst, _csv_file(10))

    _run_chunks(job)

    assert not Alert.objects.filter(kind="no_match_sweep").exists()
    answered = AuditEvent.objects.get(action=AuditTag.BULK_CHUNK_ANSWERED.value, object_id=str(job.public_id))
    assert answered.details["hits"] >= 4


@pytest.mark.parametrize(
    "content,name",
    [
        (b'{"ref": "s-1", "identifiers": [\n', "broken.jsonl"),
        (b'[{"ref": "s-1", "identifiers": []}]\n', "sellers.jsonl"),
        (b'[\n  {"ref": "s-1", "identifiers": []}\n]\n', "sellers.json"),
        (b'"ref": "s-1"\n', "sellers.ndjson"),
        (b"ref,phone\ns-1,+86 138 0013 8000\n", "sellers.jsonl"),
        (b'[{"ref": "s-1", "identifiers": []}]\n', "upload"),
    ],
)
def test_a_malformed_jsonl_file_is_answered_about_json_never_about_csv(platform_analyst, content, name):
    response = _upload(platform_analyst, content, name)

    message = response.json()["error"]["fields"]["file"][0]
    assert response.status_code == 400 and "JSON" in message and "CSV" not in message
    assert not BulkJob.objects.exists()


# --- the submitter's language -----------------------------------------------------------

ZH_NO_MATCH = "没有有效举报与这些标识符匹配。"
EN_NO_MATCH = "No live report matches these identifiers."


def _language_file() -> bytes:
    """A seller nobody reported (a miss, answered with an explanation) and a row with too many cells."""
    return f"ref,phone\nunknown,{_phone(999)}\nbroken,{_phone(998)},extra\n".encode()


def _run_chunks_while(language: str, job: BulkJob) -> None:
    """Run the chunks as a worker whose own active language is `language` (not the submitter's)."""
    with translation.override(language):
        _run_chunks(job)


@pytest.mark.parametrize(
    ("accept_language", "worker_language", "recorded", "explanation", "row_error"),
    [
        ("zh-hans", "en", "zh-hans", ZH_NO_MATCH, "该行有 3 个单元格；表头有 2 个。"),
        ("en", "zh-hans", "en", EN_NO_MATCH, "The row has 3 cells; the header has 2."),
        ("", "zh-hans", "en", EN_NO_MATCH, "The row has 3 cells; the header has 2."),
    ],
)
def test_a_jobs_result_speaks_its_submitters_language_whatever_the_worker_speaks(
    platform_analyst, accept_language, worker_language, recorded, explanation, row_error
):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client_for(platform_analyst).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("sellers.csv", _language_file())},
        format="multipart",
        **headers,
    )
    assert response.status_code == 202, response.content
    job = BulkJob.objects.get(public_id=response.json()["id"])
    assert job.language == recorded

    _run_chunks_while(worker_language, job)

    unknown, broken = _results_jsonl(platform_analyst, job)
    assert unknown["explanation"] == explanation
    assert broken == {"ref": "", "error": row_error}


def test_a_job_submitted_on_the_page_records_the_pages_language(client, platform_analyst):
    web_login(client, platform_analyst)
    upload = SimpleUploadedFile("sellers.csv", _language_file(), content_type="text/csv")

    response = client.post(
        "/bulk/", {"purpose": "seller_onboarding", "file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 302, response.content
    assert BulkJob.objects.get().language == "zh-hans"


def test_a_language_the_hub_does_not_speak_is_recorded_as_the_default(platform_analyst):
    job = bulk.bulk_submit(
        purpose="seller_onboarding",
        upload=io.BytesIO(_language_file()),
        actor=Actor(member=platform_analyst),
        language="fr",
    )

    assert job.language == "en"
