"""Raw identifiers, statements and evidence appear nowhere outside the encrypted blobs.

Submit distinctive values through every path that takes them (report, check, bad
input), then scan every table, the captured log output, every response and the
audit rows for them, in raw and canonical spellings.
"""

from __future__ import annotations

import base64
import logging

import pytest
from django.apps import apps
from django.db import connection

from accounts.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

IDENTIFIERS = [
    {"type": "phone", "value": "+86 139 8765 4321"},
    {"type": "email", "value": "Leaky.Seller.ZQ@Example.org"},
    {"type": "national_id", "value": "11010519491231002X", "country": "CN"},
    {"type": "bank_account", "value": "GB82 WEST 1234 5698 7654 32"},
    {"type": "name", "value": "Zhangleak Quxiu"},
    {"type": "shipping_address", "value": "88 Leakcheck Road, Zhuhai"},
    {"type": "person", "value": {"full_name": "Leakperson Quxiu", "date_of_birth": "1979-11-23"}},
    {
        "type": "registered_address",
        "value": {"street_address": "77 Leakregistered Avenue", "postcode": "519031", "country": "CN"},
    },
]
STATEMENT = "STATEMENT-LEAK-CANARY-7731 bought fakes from this seller"
EVIDENCE = b"EVIDENCE-LEAK-CANARY-9913"
# Raw, canonical and partial spellings the hub might be tempted to keep.
NEEDLES = [
    "+86 139 8765 4321",
    "+8613987654321",
    "13987654321",
    "87654321",
    "Leaky.Seller.ZQ",
    "leaky.seller.zq",
    "leaky.seller",
    "11010519491231002X",
    "1231002X",
    "GB82 WEST",
    "GB82WEST12345698765432",
    "WEST12345698765432",
    "5698765432",
    "Zhangleak",
    "zhangleak",
    "Leakcheck",
    "leakcheck",
    "Leakperson",
    "leakperson",
    "1979-11-23",
    "23/11/1979",
    "Leakregistered",
    "leakregistered",
    "519031",
    "STATEMENT-LEAK-CANARY-7731",
    "EVIDENCE-LEAK-CANARY-9913",
    base64.b64encode(EVIDENCE).decode()[:20],
]
BAD_INPUTS = [
    {
        "identifiers": [{"type": "national_id", "value": "110105194912310021", "country": "CN"}]
    },  # bad check digit
    {"identifiers": [{"type": "phone", "value": "+86 139 8765 4321 87654321"}]},  # too long
    {"identifiers": [{"type": "87654321", "value": "Zhangleak"}]},  # unknown type carrying a value
    {"identifiers": [{"type": "email", "value": "leaky.seller.zq-at-example.org"}]},
    {
        "identifiers": [
            {"type": "person", "value": {"full_name": "Leakperson Quxiu", "date_of_birth": "23/11/1979"}}
        ]
    },
    {
        "identifiers": [{"type": "person", "value": {"Leakperson": "1979-11-23"}}]
    },  # a value typed as a field name
    {
        "identifiers": [{"type": "registered_address", "value": "77 Leakregistered Avenue 519031"}]
    },  # not an object
]


def _disclosed(api, report_id: str) -> list:
    """Take the report through a court disclosure: the package is sealed, so nothing leaks."""
    from accounts.roles import OrganisationKind, Role
    from sharing.disclosure.services.disclosure_packages import disclosure_package_build
    from sharing.models import DisclosureRequest
    from tests.factories import court_key_pair, disclosure_body, member_make, persona

    clerk = persona(OrganisationKind.COURT, Role.ANALYST)
    court_key_pair(clerk.organisation)
    first = persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER)
    second = member_make(first.organisation, Role.DISCLOSURE_OFFICER)
    filed = api(clerk).post("/api/v1/disclosure-requests", disclosure_body([report_id]), format="json")
    url = f"/api/v1/disclosure-requests/{filed.json()['id']}"
    approvals = [api(first).post(f"{url}/approve"), api(second).post(f"{url}/approve")]
    disclosure_package_build(request_id=DisclosureRequest.objects.get(public_id=filed.json()["id"]).pk)
    package = api(clerk).get(f"{url}/package")
    assert package.status_code == 200
    return [filed, *approvals, api(clerk).get(url), package]


def _all_table_text() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')  # noqa: S608 (table names from the app registry)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_raw_values_appear_nowhere_outside_the_restricted_blobs(
    api, brand_reporter, reviewer, platform_analyst, auditor, caplog
):
    caplog.set_level(logging.DEBUG)
    body = {
        "identifiers": IDENTIFIERS,
        "ip_type": "trademark",
        "category": "counterfeit",
        "verification_level": "rights_owner_verified",
        "statement": STATEMENT,
        "authenticity_guaranteed": True,
        "evidence": [
            {
                "name": "receipt.txt",
                "content_type": "text/plain",
                "content_base64": base64.b64encode(EVIDENCE).decode(),
            }
        ],
    }
    responses = []

    submitted = api(brand_reporter).post("/api/v1/reports", body, format="json")
    report_id = submitted.json()["id"]
    responses += [
        submitted,
        api(reviewer).post(
            f"/api/v1/reports/{report_id}/accept", {"reason": "evidence checked"}, format="json"
        ),
    ]
    responses.append(
        api(platform_analyst).post(
            "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": IDENTIFIERS}, format="json"
        )
    )
    responses += [api(platform_analyst).post("/api/v1/checks", bad, format="json") for bad in BAD_INPUTS]
    responses += [
        api(brand_reporter).post(
            "/api/v1/reports", {**body, "identifiers": bad["identifiers"]}, format="json"
        )
        for bad in BAD_INPUTS
    ]
    responses += [
        api(brand_reporter).get("/api/v1/reports"),
        api(brand_reporter).get(f"/api/v1/reports/{report_id}"),
        api(reviewer).get("/api/v1/review/reports"),
    ]
    responses += _disclosed(api, report_id)
    responses.append(api(auditor).get("/api/v1/audit?limit=1000"))

    assert submitted.status_code == 201 and responses[2].json()["level"] == "reported"
    assert [r.status_code for r in responses[3 : 3 + 2 * len(BAD_INPUTS)]] == [400] * (2 * len(BAD_INPUTS))
    haystacks = {
        "database": _all_table_text(),
        "logs": caplog.text,
        # The disclosure package is binary (an age file): undecodable bytes cannot hide a needle.
        "responses": "\n".join(
            r.content.decode("utf-8", "replace") + str(dict(r.headers)) for r in responses
        ),
        "audit rows": "\n".join(str(e.__dict__) for e in AuditEvent.objects.all()),
    }
    leaks = {where: [n for n in NEEDLES if n in text] for where, text in haystacks.items()}
    assert leaks == {where: [] for where in haystacks}
    assert AuditEvent.objects.count() > 10


def test_raw_values_in_bulk_files_appear_nowhere_outside_the_restricted_blobs(
    api, brand_reporter, reviewer, platform_analyst, auditor, caplog, monkeypatch, settings
):
    """The bulk path: upload (good and bad rows), task arguments, chunks, status, results, alerts."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from sharing.bulk.tasks import bulk_chunk_task
    from sharing.models import BulkChunk

    caplog.set_level(logging.DEBUG)
    settings.HUB_BULK_CHUNK_ROWS = 2
    settings.HUB_SWEEP_BLOCK_PROBES = 2  # so the walk below raises an alert, whose details are scanned too
    submitted = api(brand_reporter).post(
        "/api/v1/reports",
        {
            "identifiers": IDENTIFIERS[:2],
            "ip_type": "trademark",
            "category": "counterfeit",
            "verification_level": "rights_owner_verified",
            "statement": STATEMENT,
            "authenticity_guaranteed": True,
        },
        format="json",
    )
    api(reviewer).post(
        f"/api/v1/reports/{submitted.json()['id']}/accept", {"reason": "evidence checked"}, format="json"
    )
    task_arguments: list = []
    monkeypatch.setattr(
        bulk_chunk_task, "apply_async", lambda *args, **kwargs: task_arguments.append((args, kwargs))
    )
    rows = [
        {"ref": "seller-1", "identifiers": IDENTIFIERS},
        {"ref": "seller-2", "identifiers": [IDENTIFIERS[0]]},
        {"ref": "walk", "identifiers": [{"type": "phone", "value": "+86 139 8765 4322"}]},
    ]
    rows += [{"ref": f"bad-{n}", **bad} for n, bad in enumerate(BAD_INPUTS)]
    upload = "".join(json.dumps(row) + "\n" for row in rows).encode()

    client = api(platform_analyst)
    created = client.post(
        "/api/v1/bulk-checks",
        {"purpose": "seller_onboarding", "file": SimpleUploadedFile("sellers.jsonl", upload)},
        format="multipart",
    )
    job_url = f"/api/v1/bulk-checks/{created.json()['id']}"
    for chunk_id in BulkChunk.objects.order_by("number").values_list("pk", flat=True):
        bulk_chunk_task(chunk_id)
    responses = [
        created,
        client.get(job_url),
        client.get("/api/v1/bulk-checks"),
        client.get(f"{job_url}/results?format=jsonl"),
        client.get(f"{job_url}/results?format=csv"),
        api(auditor).get("/api/v1/audit?limit=1000"),
        api(auditor).get("/api/v1/alerts"),
    ]

    # Streamed bodies can be read once: read every body here.
    bodies = [(b"".join(r.streaming_content) if r.streaming else r.content).decode() for r in responses]

    assert created.status_code == 202 and responses[1].json()["done"] == len(rows)
    results = [json.loads(line) for line in bodies[3].splitlines()]
    assert results[0]["level"] == "reported" and all(r["error"] for r in results[3:])
    assert len(bodies[4].splitlines()) == len(rows) + 1 and "sequential_sweep" in bodies[6]
    haystacks = {
        "database": _all_table_text(),
        "logs": caplog.text,
        "responses": "\n".join(body + str(dict(r.headers)) for body, r in zip(bodies, responses)),
        "task arguments": repr(task_arguments),
        "audit rows": "\n".join(str(e.__dict__) for e in AuditEvent.objects.all()),
    }
    needles = NEEDLES + ["+86 139 8765 4322", "+8613987654322", "13987654322"]  # the walk's own number
    leaks = {where: [n for n in needles if n in text] for where, text in haystacks.items()}
    assert leaks == {where: [] for where in haystacks}
