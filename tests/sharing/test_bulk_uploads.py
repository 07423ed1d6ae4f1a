"""Bulk uploads on disk: a large file is spooled only encrypted, read back whole, and deleted when done."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hub.uploads import EncryptedSpoolUploadHandler, SpoolTamperedError
from sharing.bulk.services import bulk
from sharing.bulk.tasks import bulk_chunk_task
from sharing.models import BulkChunk, BulkJob, BulkResult
from tests.factories import client_for, report_make_accepted, seller_identifiers, web_login

pytestmark = [
    pytest.mark.django_db,
    # Unlinked temporary files are found through the process's open descriptors.
    pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd"),
]

ROWS = 2000  # about 90 KB: more than one 64 KB upload chunk, so lines straddle spool frames


def _phone(n: int) -> str:
    return f"+86 138 0013 {8000 + n:04d}"


def _needles() -> list[bytes]:
    """Raw, E.164 and bare-digit spellings shared by every seller's phone, and the emails' domain."""
    return [b"138 0013", b"+86138001", b"86138001", b"13800138", b"@example.com"]


def _csv_file(rows: int = ROWS) -> bytes:
    lines = ["ref,phone,email"] + [f"seller-{n},{_phone(n)},seller{n}@example.com" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _files_under(directory: Path) -> list[bytes]:
    """Contents of every file in `directory`, named or already unlinked but still open in this process."""
    contents = [path.read_bytes() for path in directory.rglob("*") if path.is_file()]
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)) and target.endswith("(deleted)"):
            contents.append(Path(f"/proc/self/fd/{fd}").read_bytes())
    return contents


@pytest.fixture
def spooled(settings, tmp_path, monkeypatch) -> list[bytes]:
    """Spool uploads larger than 1 KB into tmp_path; collect what lies there while the job is submitted."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.HUB_BULK_CHUNK_ROWS = 500
    seen: list[bytes] = []
    submit = bulk.bulk_submit

    def submit_watched(**kwargs):
        # The body has been read in full by now: whatever the upload left on disk is there.
        seen.extend(_files_under(tmp_path))
        return submit(**kwargs)

    monkeypatch.setattr(bulk, "bulk_submit", submit_watched)
    return seen


def test_a_large_upload_never_lies_on_disk_in_clear_and_is_checked_whole(
    spooled, tmp_path, brand_reporter, reviewer, platform_analyst
):
    report_make_accepted(brand_reporter, reviewer, seller_identifiers(7))
    content = _csv_file()

    response = client_for(platform_analyst).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", content)},
        format="multipart",
    )
    job = BulkJob.objects.get(public_id=response.json()["id"])
    for chunk_id in BulkChunk.objects.filter(job=job).order_by("number").values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)

    assert response.status_code == 202
    assert sum(map(len, spooled)) >= len(content)  # the upload did go to disk, not to memory
    for needle in _needles():
        assert not any(needle in data for data in spooled), needle
    levels = dict(BulkResult.objects.filter(job=job).values_list("ref", "result__level"))
    assert len(levels) == ROWS and levels["seller-7"] == "reported"
    assert set(levels.values()) == {"reported", "none"} and list(levels.values()).count("reported") == 1
    assert _files_under(tmp_path) == []  # the spool is gone once the request is done


def test_a_refused_upload_leaves_no_spool_behind(spooled, tmp_path, platform_analyst):
    content = b"ref,phone,shoe_size\n" + b"s-1,+86 138 0013 8000,42\n" * 100

    response = client_for(platform_analyst).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", content)},
        format="multipart",
    )

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["file"]
    assert spooled and not any(b"138 0013" in data for data in spooled)
    assert _files_under(tmp_path) == []


def _spooled(content: bytes, piece: int = 50_000):
    """An upload streamed through the encrypted spool handler in pieces, as Django's parser feeds it."""
    handler = EncryptedSpoolUploadHandler()
    handler.new_file("file", "s.csv", "text/csv", len(content))
    for start in range(0, len(content), piece):
        handler.receive_data_chunk(content[start : start + piece], start)
    return handler, handler.file_complete(len(content))


def test_the_spool_reads_back_exactly_and_rewinds(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    content = _csv_file(4000)  # several frames

    handler, upload = _spooled(content)
    whole = b"".join(upload.chunks())
    again = b"".join(upload.chunks())  # chunks() rewinds first
    upload.seek(100_000)
    tail, first_line = upload.read(), (upload.seek(0), upload.readline())[1]
    upload.close()

    assert whole == again == content and tail == content[100_000:] and first_line == b"ref,phone,email\n"
    assert handler.file.frames > 1 and _files_under(tmp_path) == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "append"])
def test_a_spool_altered_on_disk_is_refused_not_read(damage):
    handler, upload = _spooled(_csv_file(4000))
    raw = handler.file.file
    size = raw.seek(0, os.SEEK_END)
    if damage == "flip":
        raw.seek(size // 2)
        byte = raw.read(1)
        raw.seek(size // 2)
        raw.write(bytes([byte[0] ^ 1]))
    elif damage == "truncate":
        raw.truncate(
            4 + 50_000 + 16
        )  # the first frame whole, the rest gone: only the count kept in memory tells
    else:
        raw.write(b"\x00\x00\x00\x20" + b"\x00" * 32)  # a frame more than was written
    raw.flush()

    with pytest.raises(SpoolTamperedError):
        b"".join(upload.chunks())
    upload.close()


def test_the_web_upload_page_spools_only_encrypted_too(spooled, client, platform_analyst):
    content = _csv_file()
    web_login(client, platform_analyst)

    response = client.post(
        "/bulk/", {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", content)}
    )

    assert response.status_code in (200, 302)
    assert BulkJob.objects.filter(organisation=platform_analyst.organisation).exists()
    assert sum(map(len, spooled)) >= len(content)
    for needle in _needles():
        assert not any(needle in data for data in spooled), needle


def test_a_spool_that_cannot_be_read_back_is_a_clear_4xx_and_stores_nothing(
    settings, tmp_path, monkeypatch, platform_analyst
):
    from hub import uploads

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE, settings.FILE_UPLOAD_TEMP_DIR = 1024, str(tmp_path)

    def damaged(self, number):
        raise SpoolTamperedError("the spool is not the one written")

    monkeypatch.setattr(uploads.EncryptedSpool, "frame", damaged)
    response = client_for(platform_analyst).post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("s.csv", _csv_file())},
        format="multipart",
    )

    assert response.status_code == 400
    assert (
        response.json()["error"]["code"] == "upload_unreadable"
        and "send it again" in response.json()["error"]["message"]
    )
    assert not BulkJob.objects.exists()
