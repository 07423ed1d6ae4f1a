"""Storage-key rotation and bulk jobs: a pending job's rows are re-sealed, so dropping the old key loses nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.actors import Actor
from sharing.bulk.services.bulk import bulk_chunk_process, bulk_submit
from sharing.models import BulkChunk, BulkJob, BulkJobStatus, BulkResult, BulkRow
from tests.factories import report_make_accepted, seller_identifiers

pytestmark = pytest.mark.django_db

NEW_KEY = "2:" + "5a" * 64


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.HUB_BULK_CHUNK_ROWS = 4
    settings.HUB_BULK_CONCURRENT_JOBS = 3


@pytest.fixture
def reported(brand_reporter, reviewer):
    report_make_accepted(brand_reporter, reviewer, seller_identifiers(1))


def _csv(rows: int = 10) -> io.BytesIO:
    lines = ["ref,phone,email"] + [
        f"seller-{n},+86 138 0013 {8000 + n:04d},seller{n}@example.com" for n in range(rows)
    ]
    return io.BytesIO(("\n".join(lines) + "\nbad,call me maybe,\n").encode())


def _run(job: BulkJob) -> None:
    for chunk_id in BulkChunk.objects.filter(job=job).order_by("number").values_list("pk", flat=True):
        bulk_chunk_process(chunk_id=chunk_id)


def _levels(job: BulkJob) -> list:
    return list(BulkResult.objects.filter(job=job).order_by("index").values_list("result__level", flat=True))


def _key_versions(job: BulkJob) -> set[str]:
    return {
        t["token"].partition(":")[0]
        for tokens in BulkRow.objects.filter(job=job).values_list("tokens", flat=True)
        for t in tokens
    }


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_token_storage", *args, stdout=out)
    return out.getvalue()


def test_a_pending_job_is_re_sealed_so_it_finishes_after_the_old_key_is_dropped(
    settings, reported, platform_analyst
):
    actor = Actor(member=platform_analyst)
    pending = bulk_submit(purpose="seller_onboarding", upload=_csv(), actor=actor)
    halfway = bulk_submit(purpose="seller_onboarding", upload=_csv(), actor=actor)
    bulk_chunk_process(chunk_id=BulkChunk.objects.get(job=halfway, number=0).pk)
    settings.HUB_TOKEN_STORAGE_KEYS += "," + NEW_KEY

    dry = _rotate("--dry-run")
    summary = _rotate("--batch-size", "3")
    again = _rotate()
    settings.HUB_TOKEN_STORAGE_KEYS = NEW_KEY
    _run(pending)
    _run(halfway)

    for job in (pending, halfway):
        job.refresh_from_db()
        assert job.status == BulkJobStatus.DONE and _key_versions(job) == {"2"}
        assert _levels(job) == ["none", "reported"] + ["none"] * 8 + [None]
    assert not BulkResult.objects.filter(error__contains="resubmit").exists()
    assert "20 rows of pending bulk jobs" in dry and "re-sealed 20 rows of pending bulk jobs" in summary
    assert "re-sealed 0 rows" in again  # idempotent: a second run finds nothing left to do


def test_finished_jobs_are_left_as_they_are(settings, reported, platform_analyst):
    job = bulk_submit(purpose="seller_onboarding", upload=_csv(), actor=Actor(member=platform_analyst))
    _run(job)
    settings.HUB_TOKEN_STORAGE_KEYS += "," + NEW_KEY

    summary = _rotate()

    assert "re-sealed 0 rows" in summary and _key_versions(job) == {"1"}


def test_a_rotation_stopped_midway_resumes_where_it_stopped(
    settings, monkeypatch, reported, platform_analyst
):
    from sharing.keys.services import token_storage

    job = bulk_submit(purpose="seller_onboarding", upload=_csv(), actor=Actor(member=platform_analyst))
    settings.HUB_TOKEN_STORAGE_KEYS += "," + NEW_KEY
    batches = token_storage._bulk_rows_batch

    def crash_after_the_first(*args, **kwargs):
        monkeypatch.setattr(token_storage, "_bulk_rows_batch", _boom)
        return batches(*args, **kwargs)

    monkeypatch.setattr(token_storage, "_bulk_rows_batch", crash_after_the_first)
    with pytest.raises(RuntimeError):
        _rotate("--batch-size", "4")
    half = sorted(_key_versions(job))
    monkeypatch.setattr(token_storage, "_bulk_rows_batch", batches)
    summary = _rotate("--batch-size", "4")

    assert half == ["1", "2"]
    assert "re-sealed 6 rows" in summary and _key_versions(job) == {"2"}


def _boom(*args, **kwargs):
    raise RuntimeError("worker killed")


def test_a_row_sealed_under_a_key_no_longer_loaded_says_to_resubmit(settings, reported, platform_analyst):
    job = bulk_submit(purpose="seller_onboarding", upload=_csv(), actor=Actor(member=platform_analyst))
    settings.HUB_TOKEN_STORAGE_KEYS = NEW_KEY  # dropped without rotating

    _run(job)

    job.refresh_from_db()
    errors = list(BulkResult.objects.filter(job=job).order_by("index").values_list("error", flat=True))
    assert job.status == BulkJobStatus.DONE and job.done == 11
    assert all("no longer loaded" in e and "resubmit the job" in e for e in errors[:10])
    assert (
        errors[10] and "no longer loaded" not in errors[10]
    )  # the row that was bad all along keeps its own error
