"""Set-based bulk matching: a chunk's answers equal single checks of its rows, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.actors import Actor
from accounts.roles import OrganisationKind, Role
from sharing.bulk.services import bulk_files, bulk_match
from sharing.bulk.services.bulk import bulk_chunk_process, bulk_submit
from sharing.checks.services.checks import check_result_for
from sharing.checks.services.policies import policy_of
from sharing.keys.services import token_storage
from sharing.models import BulkChunk, BulkJob, BulkResult, BulkRow, IdentifierToken, MemberPolicy
from sharing.subjects.inputs import IdentifierInput
from sharing.subjects.services.tokens import (
    RawIdentifier,
    SuppliedToken,
    identifiers_tokenise,
    stored_tokens_of,
)
from tests.factories import dispute_make, persona, report_make, report_make_accepted, seller_identifiers

pytestmark = pytest.mark.django_db

SHOP = {"type": "store_url", "value": "https://shop123456.taobao.com/?spm=a1z10"}
IBAN = {"type": "bank_account", "value": "DE89 3704 0044 0532 0130 00"}
LINKED_PHONE = {"type": "phone", "value": "+86 139 1111 2222"}
UNKNOWN_PHONE = {"type": "phone", "value": "+86 139 0000 0000"}


def _token_form(identifier: dict) -> dict:
    """What a member sends after deriving the token obliviously (computed here the direct way)."""
    item = identifiers_tokenise(
        identifiers=[RawIdentifier(identifier["type"], identifier["value"])], default_country="CN"
    )[0]
    return {"type": item.type, "token": item.token, "key_version": item.key_version}


@pytest.fixture
def evidence(brand_reporter, other_brand_reporter, reviewer):
    """Sellers with one or several reports, an official decision, a linked store, a dispute and a pending report."""
    platform_reporter = persona(OrganisationKind.PLATFORM, Role.REPORTER)
    report_make_accepted(brand_reporter, reviewer, seller_identifiers(0))
    for reporter in (brand_reporter, other_brand_reporter):
        report_make_accepted(reporter, reviewer, seller_identifiers(1))
    report_make_accepted(
        brand_reporter,
        reviewer,
        seller_identifiers(2)[:1],
        verification_level="court_judgment",
        decision_verified=True,
    )
    # One subject reached through a shared store: the bank account alone matches only "linked".
    report_make_accepted(brand_reporter, reviewer, [LINKED_PHONE, SHOP])
    report_make_accepted(platform_reporter, reviewer, [SHOP, IBAN])
    report_make(brand_reporter, seller_identifiers(3))
    _, disputed = dispute_make(n=900)
    return {"disputed": disputed}


def _rows(evidence: dict) -> list[dict | str]:
    """Hits (direct, linked, several subjects), misses, a pending-only seller, token rows and bad rows."""
    s0, s1, s2, s3 = (seller_identifiers(n) for n in range(4))
    return [
        {"identifiers": s0},
        {"identifiers": s1[1:]},
        {"identifiers": [IBAN]},
        {"identifiers": evidence["disputed"][:1]},
        {"identifiers": [UNKNOWN_PHONE]},
        {"identifiers": [{"type": "phone", "value": "call me maybe"}]},
        {"identifiers": [s0[0], s1[1]]},
        {"identifiers": [_token_form(s1[0])]},
        {"identifiers": "not a list"},
        {"identifiers": s2},
        {"identifiers": [LINKED_PHONE, IBAN]},
        {"identifiers": [_token_form(UNKNOWN_PHONE)]},
        {"identifiers": []},
        {"identifiers": s3},
        "not json",
        {"identifiers": [SHOP, s0[1]]},
    ]


def _jsonl(rows: list[dict | str]) -> bytes:
    lines = [
        row if isinstance(row, str) else json.dumps({"ref": f"row-{n}", **row}) for n, row in enumerate(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _single(identifiers: list[dict], analyst, now) -> dict:
    """The single check's answer for one row, computed the per-row way."""
    raw = [
        SuppliedToken(i["type"], i["token"], i["key_version"])
        if "token" in i
        else RawIdentifier(i["type"], i["value"])
        for i in identifiers
    ]
    tokenised = identifiers_tokenise(identifiers=raw, default_country=analyst.organisation.country)
    matched = stored_tokens_of(tokenised)  # weak rows too: they may corroborate, as in a single check
    return bulk_match.shareable(check_result_for(matched, policy=policy_of(analyst.organisation_id), now=now))


def _run(job: BulkJob) -> dict[int, object]:
    """Process every chunk; return each row index's `now` (the chunk's attempt time)."""
    nows = {}
    for chunk in BulkChunk.objects.filter(job=job).order_by("number"):
        assert bulk_chunk_process(chunk_id=chunk.pk)
        chunk.refresh_from_db()
        nows.update({index: chunk.attempted_at for index in range(chunk.first_row, chunk.last_row + 1)})
    return nows


def test_every_row_answers_as_its_single_check_would(settings, evidence, platform_analyst):
    settings.HUB_BULK_CHUNK_ROWS = 4  # several chunks, sharing subjects between them
    MemberPolicy.objects.create(
        organisation=platform_analyst.organisation,
        strikes=2,
        one_strike_verification_levels=["court_judgment"],
    )
    rows = _rows(evidence)
    job = bulk_submit(
        purpose="seller_onboarding", upload=io.BytesIO(_jsonl(rows)), actor=Actor(member=platform_analyst)
    )

    nows = _run(job)

    results = {r.index: (bool(r.error), r.result) for r in BulkResult.objects.filter(job=job)}
    bad = {5, 8, 12, 14}
    assert results == {
        n: (True, {}) if n in bad else (False, _single(row["identifiers"], platform_analyst, nows[n]))
        for n, row in enumerate(rows)
    }
    levels = [results[n][1].get("level") for n in range(len(rows))]
    assert levels[:4] == ["reported", "listed", "listed", "reported"] and levels[9] == "confirmed"
    linked = results[2][1]
    assert (linked["match"], linked["linked_store_accounts"], linked["linked_platforms"]) == ("linked", 1, 1)
    assert results[3][1]["disputed"] and results[6][1]["subjects_matched"] == 2
    assert levels[4] == levels[11] == levels[13] == "none"


def test_rows_match_whichever_storage_key_sealed_them_during_a_rotation(
    settings, monkeypatch, evidence, platform_analyst
):
    content = _jsonl(
        [{"identifiers": seller_identifiers(0)}, {"identifiers": [IBAN]}, {"identifiers": [UNKNOWN_PHONE]}]
    )
    actor = Actor(member=platform_analyst)
    settings.HUB_BULK_CONCURRENT_JOBS = 3
    sealed_under_old = bulk_submit(purpose="seller_onboarding", upload=io.BytesIO(content), actor=actor)
    settings.HUB_TOKEN_STORAGE_KEYS += ",2:" + "5a" * 64
    seen_mid_rotation: list[tuple] = []
    rows_rekey = token_storage.bulk_rows_rekey

    def chunks_run_before_the_rows_are_rekeyed(**kwargs):
        # A worker checks the older job after the stored tokens moved to the new key, before its rows do.
        seen_mid_rotation.append((_key_versions(sealed_under_old), _stored_key_versions()))
        _run(sealed_under_old)
        return rows_rekey(**kwargs)

    monkeypatch.setattr(token_storage, "bulk_rows_rekey", chunks_run_before_the_rows_are_rekeyed)
    # Rows sealed under the new key while the stored tokens are still under the old one, then the reverse.
    sealed_under_new = bulk_submit(purpose="seller_onboarding", upload=io.BytesIO(content), actor=actor)
    _run(sealed_under_new)
    call_command("rotate_token_storage", stdout=io.StringIO())

    for job in (sealed_under_old, sealed_under_new):
        levels = list(
            BulkResult.objects.filter(job=job).order_by("index").values_list("result__level", flat=True)
        )
        assert levels == ["reported", "listed", "none"], job
    assert seen_mid_rotation == [({"1"}, {"2"})]
    assert _key_versions(sealed_under_new) == {"2"}


def _stored_key_versions() -> set[str]:
    return {token.partition(":")[0] for token in IdentifierToken.objects.values_list("token", flat=True)}


def _key_versions(job: BulkJob) -> set[str]:
    """The storage key versions a job's rows were sealed under."""
    return {
        t["token"].partition(":")[0]
        for tokens in BulkRow.objects.filter(job=job).values_list("tokens", flat=True)
        for t in tokens
    }


def _queries_for_a_chunk(job: BulkJob, number: int) -> int:
    chunk = BulkChunk.objects.get(job=job, number=number)
    with CaptureQueriesContext(connection) as queries:
        bulk_chunk_process(chunk_id=chunk.pk)
    return len(queries)


def test_a_chunk_costs_the_same_statements_whatever_its_size(settings, evidence, platform_analyst):
    settings.HUB_BULK_CHUNK_ROWS = 30
    rows = [{"identifiers": seller_identifiers(n % 3)} for n in range(32)]  # chunks of 30 rows and of 2
    job = bulk_submit(
        purpose="seller_onboarding", upload=io.BytesIO(_jsonl(rows)), actor=Actor(member=platform_analyst)
    )

    large, small = _queries_for_a_chunk(job, 0), _queries_for_a_chunk(job, 1)

    assert large == small
    levels = Counter(BulkResult.objects.filter(job=job).values_list("result__level", flat=True))
    assert levels == {"reported": 11, "listed": 11, "confirmed": 10}


TOKEN = "Ab" * 64


@pytest.mark.parametrize(
    "identifier,fast",
    [
        ({"type": "phone", "token": TOKEN, "key_version": 1}, True),
        ({"type": "email", "token": TOKEN.lower(), "key_version": 2}, True),
        ({"type": "phone", "token": TOKEN, "key_version": "1"}, False),
        ({"type": "phone", "token": TOKEN, "key_version": True}, False),
        ({"type": "phone", "token": TOKEN, "key_version": 0}, False),
        ({"type": "phone", "token": TOKEN + "\n", "key_version": 1}, False),
        ({"type": "phone", "token": f" {TOKEN} ", "key_version": 1}, False),
        ({"type": "phone", "token": TOKEN[:-1], "key_version": 1}, False),
        ({"type": "shoe_size", "token": TOKEN, "key_version": 1}, False),
        ({"type": "phone", "token": TOKEN, "key_version": 1, "value": "+86 138 0013 8000"}, False),
        ({"type": "phone", "token": TOKEN}, False),
    ],
)
def test_a_plainly_well_formed_token_skips_the_serializer_with_its_outcome(identifier, fast):
    serializer = IdentifierInput(data=identifier)

    taken = bulk_files._supplied_token(identifier)

    assert (taken is not None) == fast
    assert taken is None or (serializer.is_valid() and serializer.to_raw(serializer.validated_data) == taken)
