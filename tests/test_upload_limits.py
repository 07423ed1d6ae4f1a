"""Every upload has a size limit, refused with 413 while it streams in: nothing over the limit is spooled."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import OrganisationKind, Role
from hub.error_views import is_api_path
from hub.uploads import EncryptedSpoolUploadHandler, UploadLimitHandler, UploadTooLargeError
from sharing.models import BulkJob, DisclosureRequest
from tests.factories import client_for, persona, web_login
from tests.test_nul_input import ROUTES

pytestmark = pytest.mark.django_db

LIMIT = 20_000


def _csv(size: int) -> bytes:
    line = b"seller-0000001,+86 138 0013 8000\n"
    return b"ref,phone\n" + line * (size // len(line))


@pytest.fixture
def spool_dir(settings, tmp_path) -> Path:
    """Uploads over 1 KB go to tmp_path; the limits are small so tests stay fast."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.HUB_BULK_MAX_UPLOAD_BYTES = LIMIT
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT // 2
    return tmp_path


def _spool_files_opened(directory: Path) -> int:
    """Spool files this process has open in `directory` (they are unlinked, so found through /proc)."""
    if not os.path.isdir("/proc/self/fd"):
        return 0
    return sum(
        1
        for fd in os.listdir("/proc/self/fd")
        if os.path.realpath(f"/proc/self/fd/{fd}").startswith(str(directory))
    )


def test_a_bulk_upload_over_the_limit_is_a_413_in_the_hub_error_shape(
    spool_dir, platform_analyst, monkeypatch
):
    spools = []
    monkeypatch.setattr(EncryptedSpoolUploadHandler, "new_file", lambda self, *a, **k: spools.append(1))

    response = client_for(platform_analyst).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", _csv(LIMIT + 1000))},
        format="multipart",
    )

    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and "larger than" in error["message"]
    assert response.json()["request_id"]
    assert spools == [] and BulkJob.objects.count() == 0  # refused on its Content-Length: nothing spooled


def test_a_bulk_upload_under_the_limit_is_accepted(spool_dir, platform_analyst):
    response = client_for(platform_analyst).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", _csv(LIMIT - 2000))},
        format="multipart",
    )

    assert response.status_code == 202, response.content
    assert _spool_files_opened(spool_dir) == 0


def test_the_bulk_page_shows_a_clear_message_for_an_upload_over_the_limit(
    spool_dir, client, platform_analyst
):
    web_login(client, platform_analyst)

    response = client.post(
        "/bulk/", {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", _csv(LIMIT + 1000))}
    )

    assert response.status_code == 413
    assert b"The upload is larger than the 20,000 bytes the hub accepts here" in response.content
    assert BulkJob.objects.count() == 0


def test_bytes_are_counted_as_they_arrive_whatever_the_declared_length(spool_dir):
    limiter, spool = UploadLimitHandler(), EncryptedSpoolUploadHandler()
    request = SimpleNamespace(resolver_match=None, upload_handlers=[limiter, spool])
    limiter.request = spool.request = request
    limiter.handle_raw_input(None, {}, 100, b"boundary")  # a body that claims to be small
    spool.new_file("file", "s.csv", "text/csv", None)

    with pytest.raises(UploadTooLargeError):
        for start in range(0, LIMIT, 4096):
            chunk = limiter.receive_data_chunk(b"x" * 4096, start)
            spool.receive_data_chunk(chunk, start)

    assert spool.file.size < LIMIT // 2 + 4096  # the chunk past the limit never reached the spool
    assert spool.file.file.closed  # and the spool was freed at once


def test_the_web_disclosure_form_refuses_an_order_document_over_the_request_limit(spool_dir, client):
    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    web_login(client, clerk)

    response = client.post(
        "/disclosures/new",
        {"case_number": "C-1", "order_document": SimpleUploadedFile("order.pdf", b"%PDF" + b"x" * LIMIT)},
    )

    assert response.status_code == 413 and b"larger than" in response.content
    assert DisclosureRequest.objects.count() == 0


# The order document's own limit (the API's evidence limit) on the page: tests/test_web_forms.py.


def test_every_route_refuses_a_multipart_body_over_its_limit_before_spooling_it(spool_dir, monkeypatch):
    spools = []
    monkeypatch.setattr(EncryptedSpoolUploadHandler, "new_file", lambda self, *a, **k: spools.append(1))
    member = persona(OrganisationKind.PLATFORM, Role.ADMIN)
    web, api = Client(), client_for(member)
    web_login(web, member)
    big = _csv(LIMIT + 1000)

    answers = {
        route: (api if is_api_path(route) else web)
        .post(route, {"file": SimpleUploadedFile("s.csv", big)})
        .status_code
        for route in ROUTES
    }

    assert {r: s for r, s in answers.items() if not is_api_path(r) and s != 413} == {}
    # API routes refuse before reading (403/404/405/415) or answer 413; none accepts or fails.
    assert {r: s for r, s in answers.items() if not 400 <= s < 500} == {}
    assert spools == []


def test_a_web_form_body_over_the_request_limit_is_a_413_page(settings, client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    member = persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER)
    web_login(client, member)

    response = client.post(
        f"/disclosures/{uuid.uuid4()}/",
        urlencode({"action": "reject", "reason": "x" * 2000}),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413 and b"The request is larger than the hub accepts." in response.content


def test_a_stranger_gets_only_the_default_limit_on_the_bulk_page(spool_dir):
    response = Client().post(
        "/bulk/",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", _csv(LIMIT // 2 + 1000))},
    )

    assert response.status_code == 413 and b"10,000 bytes" in response.content
