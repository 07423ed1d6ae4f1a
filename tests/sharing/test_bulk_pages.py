"""Bulk screening pages: the job list, the upload form, a job's page with its progress, and who may see them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.actors import Actor
from accounts.roles import OrganisationKind, Role
from sharing.bulk.services import bulk
from sharing.bulk.tasks import bulk_chunk_task
from sharing.models import BulkChunk, BulkJob, BulkJobStatus
from tests.factories import persona, web_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.HUB_BULK_CHUNK_ROWS = 10


def _csv(rows: int) -> bytes:
    lines = ["ref,phone,email"] + [
        f"seller-{n},+86 138 0013 {8000 + n:04d},seller{n}@example.com" for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _job(member, rows: int = 25) -> BulkJob:
    """A job submitted through the service (its chunks not yet run: on_commit never fires in these tests)."""
    return bulk.bulk_submit(
        purpose="seller_onboarding",
        upload=SimpleUploadedFile("s.csv", _csv(rows)),
        actor=Actor(member=member),
    )


def _run_first_chunk(job: BulkJob) -> None:
    bulk_chunk_task(BulkChunk.objects.filter(job=job).order_by("number").first().pk)


def _logged_in(client, member):
    web_login(client, member)
    return client


def test_the_list_shows_the_organisations_jobs_with_progress(client, platform_analyst):
    job = _job(platform_analyst)
    _run_first_chunk(job)

    page = _logged_in(client, platform_analyst).get("/bulk/")

    html = page.content.decode()
    assert page.status_code == 200
    assert f"/bulk/{job.public_id}/" in html
    assert '<progress value="10" max="25">' in html and "Running" in html
    assert 'enctype="multipart/form-data"' in html


def test_the_job_page_shows_progress_and_a_cancel_button_while_running(client, platform_analyst):
    job = _job(platform_analyst)
    _run_first_chunk(job)

    html = _logged_in(client, platform_analyst).get(f"/bulk/{job.public_id}/").content.decode()

    assert 'id="bulk-progress" value="10" max="25"' in html
    assert "10/25 rows" in html and "Cancel the job" in html
    assert f"/api/v1/bulk-checks/{job.public_id}" in html  # the page polls the API with the session
    assert "results.csv" not in html


def test_a_finished_job_offers_csv_and_jsonl_downloads(client, platform_analyst):
    job = _job(platform_analyst)
    for chunk_id in BulkChunk.objects.filter(job=job).values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)
    page = f"/bulk/{job.public_id}/"

    html = _logged_in(client, platform_analyst).get(page).content.decode()
    download = client.get(f"{page}results.jsonl")
    csv_download = client.get(f"{page}results.csv")

    assert "results.csv" in html and "results.jsonl" in html and "Cancel the job" not in html
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert download.status_code == 200 and len(lines) == 25 and '"ref":"seller-0"' in lines[0]
    assert b"".join(csv_download.streaming_content).decode().startswith('"ref","error","level"')


def test_uploading_through_the_form_creates_a_job(client, courier_analyst):
    upload = SimpleUploadedFile("sellers.csv", _csv(12), content_type="text/csv")

    response = _logged_in(client, courier_analyst).post(
        "/bulk/", {"purpose": "seller_onboarding", "file": upload}
    )

    job = BulkJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/bulk/{job.public_id}/")
    assert job.organisation == courier_analyst.organisation and job.total == 12
    assert job.status == BulkJobStatus.QUEUED


def test_an_unreadable_upload_shows_the_error_and_creates_nothing(client, platform_analyst):
    upload = SimpleUploadedFile("sellers.csv", b"phone,email\n+8613800138000,a@example.com\n")

    response = _logged_in(client, platform_analyst).post(
        "/bulk/", {"purpose": "seller_onboarding", "file": upload}
    )

    assert response.status_code == 400 and "no ref column" in response.content.decode()
    assert not BulkJob.objects.exists()


def test_cancelling_from_the_page(client, platform_analyst):
    job = _job(platform_analyst)

    response = _logged_in(client, platform_analyst).post(
        f"/bulk/{job.public_id}/cancel", {"reason": "wrong file"}
    )

    job.refresh_from_db()
    assert response.status_code == 302 and job.status == BulkJobStatus.CANCELLED
    assert "cancelled" in client.get(f"/bulk/{job.public_id}/").content.decode().lower()


def test_another_organisations_job_is_not_found(client, platform_analyst, courier_analyst):
    job = _job(courier_analyst)

    client = _logged_in(client, platform_analyst)

    assert client.get(f"/bulk/{job.public_id}/").status_code == 404
    assert client.post(f"/bulk/{job.public_id}/cancel").status_code == 404
    assert client.get(f"/bulk/{job.public_id}/results.csv").status_code == 404
    assert f"/bulk/{job.public_id}/" not in client.get("/bulk/").content.decode()


def test_a_rights_owner_is_refused(client, brand_reporter):
    client = _logged_in(client, brand_reporter)

    assert client.get("/bulk/").status_code == 403
    assert "Bulk screening" not in client.get("/").content.decode()


def test_the_home_page_links_bulk_screening_for_members_who_may_run_it(client, platform_analyst):
    assert 'id="portal-bulk-list"' in _logged_in(client, platform_analyst).get("/").content.decode()


def test_an_admin_of_a_platform_may_too_but_a_viewer_may_not(client):
    admin = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    viewer = persona(OrganisationKind.PLATFORM, Role.VIEWER)

    assert _logged_in(client, admin).get("/bulk/").status_code == 200
    client.logout()
    assert _logged_in(client, viewer).get("/bulk/").status_code == 403


def _finished_job_with_one_hit(member, brand_reporter, reviewer) -> BulkJob:
    """12 sellers, the first of whom a rights owner reported (its report accepted)."""
    from tests.factories import report_make_accepted

    report_make_accepted(brand_reporter, reviewer)
    job = _job(member, rows=12)
    for chunk in BulkChunk.objects.filter(job=job).order_by("number"):
        bulk_chunk_task(chunk.pk)
    return job


def test_the_job_page_counts_hits_by_level_and_action_and_lists_them(
    client, platform_analyst, brand_reporter, reviewer
):
    job = _finished_job_with_one_hit(platform_analyst, brand_reporter, reviewer)

    page = _logged_in(client, platform_analyst).get(f"/bulk/{job.public_id}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert '<td data-level="none">11</td>' in html and '<td data-level="reported">1</td>' in html
    assert '<td data-action="review">1</td>' in html and '<td data-action="allow">11</td>' in html
    assert html.count('<tr data-level="reported">') == 1 and "seller-0" in html and "seller-1<" not in html


def test_the_hit_filter_narrows_the_rows_and_a_bad_filter_is_a_400(
    client, platform_analyst, brand_reporter, reviewer
):
    job = _finished_job_with_one_hit(platform_analyst, brand_reporter, reviewer)
    client = _logged_in(client, platform_analyst)

    blocked = client.get(f"/bulk/{job.public_id}/?action=block").content.decode()
    reviewed = client.get(f"/bulk/{job.public_id}/?level=reported&action=review").content.decode()
    bad = client.get(f"/bulk/{job.public_id}/?level=nonsense")

    assert '<tr data-level="reported">' not in blocked and "No hit matches this filter." in blocked
    assert '<tr data-level="reported">' in reviewed
    assert bad.status_code == 400 and 'data-field="level"' in bad.content.decode()


def test_the_job_page_speaks_chinese(client, platform_analyst):
    job = _job(platform_analyst)

    web_login(client, platform_analyst)
    html = client.get(f"/bulk/{job.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "排队中" in html and "取消任务" in html and "Cancel the job" not in html
