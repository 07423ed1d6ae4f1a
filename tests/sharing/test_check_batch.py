"""A batch check (POST /api/v1/checks/batch): each seller is a check like POST /api/v1/checks.

Equal answers, one audit row per seller, the quota taken per seller (a batch over it refused whole),
the sweep rules fed as that many single checks in a row would feed them, per-field refusals.
"""

from __future__ import annotations

import pytest

from accounts.audit.models import Alert, AuditEvent
from accounts.audit.tags import AuditTag
from accounts.models import QuotaUsage
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import SubjectMatch, SweepWindow
from tests.factories import persona, report_make_accepted

pytestmark = pytest.mark.django_db

LISTED = [{"type": "phone", "value": "+86 138 0013 8000"}, {"type": "email", "value": "listed@example.com"}]
REPORTED = [{"type": "bank_account", "value": "DE89 3704 0044 0532 0130 00"}]
LINKED_STORE = {"type": "store_url", "value": "https://shop123456.taobao.com/"}
NAME = {"type": "name", "value": "张伟"}
MISS = [{"type": "phone", "value": "+86 139 0000 0000"}]


@pytest.fixture
def listed_world(reviewer):
    """One seller listed by two organisations (with a store account and a name on its reports), one
    reported once, a store account linked to the first through its phone."""
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [*LISTED, NAME])
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [LISTED[0], LINKED_STORE])
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, REPORTED)


SELLERS = [
    {"reference": "hit-direct", "identifiers": [LISTED[1]]},
    {"reference": "miss", "identifiers": MISS},
    {"reference": "reported", "identifiers": REPORTED},
    {"identifiers": [LISTED[0], NAME]},  # corroborated by the name; no reference
    {"reference": "weak-only", "identifiers": [NAME]},
    {"reference": "linked", "identifiers": [LINKED_STORE]},
    {"reference": "two-subjects", "identifiers": [LISTED[1], *REPORTED]},
]


def _batch(api, member, sellers, purpose="seller_onboarding"):
    return api(member).post("/api/v1/checks/batch", {"purpose": purpose, "sellers": sellers}, format="json")


def _single(api, member, identifiers, purpose="seller_onboarding"):
    response = api(member).post(
        "/api/v1/checks", {"purpose": purpose, "identifiers": identifiers}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _without_check_id(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key not in {"check_id", "reference"}}


@pytest.mark.parametrize(
    "kind,purpose", [(K.PLATFORM, "seller_onboarding"), (K.LOGISTICS, "parcel_screening")]
)
def test_a_batch_answers_each_seller_exactly_as_its_single_check(api, listed_world, kind, purpose):
    member = persona(kind, R.ANALYST)

    response = _batch(api, member, SELLERS, purpose)
    singles = [_single(api, member, seller["identifiers"], purpose) for seller in SELLERS]

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["reference"] for r in results] == [s.get("reference") for s in SELLERS]
    assert [_without_check_id(r) for r in results] == [_without_check_id(s) for s in singles]
    levels = [r["level"] for r in results]
    assert levels == ["listed", "none", "reported", "listed", "none", "listed", "listed"]
    assert results[3]["corroborated_types"] == ["name"] and results[5]["match"] == "linked"
    assert (results[0]["parcel_action"] is not None) == (kind == K.LOGISTICS)
    assert len({r["check_id"] for r in results}) == len(SELLERS)


def test_each_seller_is_audited_as_a_single_check_with_its_own_check_id(api, listed_world, platform_analyst):
    results = _batch(api, platform_analyst, SELLERS).json()["results"]
    batch_rows = list(
        AuditEvent.objects.filter(actor_member=platform_analyst, action=AuditTag.CHECK_RUN.value).order_by(
            "seq"
        )
    )
    singles = [_single(api, platform_analyst, seller["identifiers"]) for seller in SELLERS]
    single_rows = list(
        AuditEvent.objects.filter(actor_member=platform_analyst, action=AuditTag.CHECK_RUN.value).order_by(
            "seq"
        )
    )[len(SELLERS) :]

    assert [row.object_id for row in batch_rows] == [r["check_id"] for r in results]
    assert [row.object_id for row in single_rows] == [s["check_id"] for s in singles]
    assert [row.details for row in batch_rows] == [row.details for row in single_rows]
    assert [(row.details["hits"], row.details["misses"]) for row in batch_rows] == [
        (0, 1) if r["level"] == "none" else (1, 0) for r in results
    ]


def test_hits_record_subject_matches_under_their_own_check_id(api, listed_world, platform_analyst):
    results = _batch(api, platform_analyst, SELLERS).json()["results"]

    references = set(
        SubjectMatch.objects.filter(organisation=platform_analyst.organisation).values_list(
            "reference", flat=True
        )
    )
    assert references == {r["check_id"] for r in results if r["level"] != "none"}
    two_subjects = results[6]["check_id"]
    assert SubjectMatch.objects.filter(reference=two_subjects).count() == 2


def test_no_raw_identifier_in_the_audit_rows_or_the_answer(api, listed_world, platform_analyst):
    response = _batch(api, platform_analyst, SELLERS)
    rows = str(list(AuditEvent.objects.values_list("details", flat=True)))
    answer = response.content.decode()

    for raw in ("0013 8000", "8613800138000", "listed@example.com", "0532 0130", "张伟", "shop123456"):
        assert raw not in answer
    for raw in ("13800138000", "listed@example.com", "DE89", "张伟", "shop123456", "hit-direct"):
        assert raw not in rows


def test_every_seller_counts_in_the_quota_as_a_single_check(api, platform_analyst):
    sellers = [{"identifiers": [{"type": "phone", "value": f"+86 137 {n:04d} 5678"}]} for n in range(5)]
    sellers[0]["identifiers"].append({"type": "email", "value": "a@example.com"})

    assert _batch(api, platform_analyst, sellers).status_code == 200

    used = dict(
        QuotaUsage.objects.filter(organisation=platform_analyst.organisation, window="day").values_list(
            "bucket", "used"
        )
    )
    assert used == {"check:phone": 5, "check:email": 1}
    window = SweepWindow.objects.get(organisation=platform_analyst.organisation)
    assert (window.checks, window.misses) == (5, 5)


def test_a_batch_over_the_quota_is_refused_whole_and_the_refusal_audited(
    api, listed_world, platform_analyst, settings
):
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 3
    sellers = [{"identifiers": [{"type": "phone", "value": f"+86 137 {n:04d} 5678"}]} for n in range(3)]
    sellers.append({"identifiers": [LISTED[0]]})

    refused = _batch(api, platform_analyst, sellers)

    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 61
    assert refused.json()["error"]["code"] == "rate_limited" and "phone" in refused.json()["error"]["message"]
    assert not AuditEvent.objects.filter(
        actor_member=platform_analyst, action=AuditTag.CHECK_RUN.value
    ).exists()
    denied = AuditEvent.objects.get(actor_member=platform_analyst, action=AuditTag.QUOTA_EXCEEDED.value)
    assert denied.outcome == "denied" and denied.object_type == "check"
    assert not SubjectMatch.objects.exists()
    assert not QuotaUsage.objects.filter(organisation=platform_analyst.organisation, used__gt=0).exists()
    assert _batch(api, platform_analyst, sellers[:3]).status_code == 200


def test_a_canary_in_any_seller_raises_the_canary_alert(api, platform_analyst, operator_admin):
    from accounts.actors import Actor
    from sharing.checks.services.canaries import canaries_plant
    from sharing.subjects.services.tokens import RawIdentifier

    canaries_plant(
        identifiers=[RawIdentifier("phone", "+86 139 0000 0001")],
        label="trap",
        actor=Actor(member=operator_admin),
    )
    sellers = [{"identifiers": MISS}, {"identifiers": [{"type": "phone", "value": "+86 139 0000 0001"}]}]

    assert _batch(api, platform_analyst, sellers).status_code == 200

    alert = Alert.objects.get(kind="canary_hit")
    assert alert.organisation == platform_analyst.organisation and alert.severity == "high"


def test_a_number_block_walked_in_one_batch_raises_the_sequential_alert(api, platform_analyst, settings):
    settings.HUB_SWEEP_BLOCK_PROBES = 5
    sellers = [{"identifiers": [{"type": "phone", "value": f"+86 137 0000 5{n:03d}"}]} for n in range(5)]

    _batch(api, platform_analyst, sellers[:4])
    assert not Alert.objects.filter(kind="sequential_sweep").exists()
    _batch(api, platform_analyst, sellers[4:])

    assert Alert.objects.filter(kind="sequential_sweep", organisation=platform_analyst.organisation).exists()


def test_misses_first_then_hits_in_a_batch_raise_the_no_match_alert_single_checks_would(
    api, listed_world, platform_analyst, settings
):
    """Four misses then two hits: single checks in that order cross the no-match rule at the fourth,
    though the hour's final ratio (4 of 6) is under it; the batch must not hide the sweep behind its hits."""
    settings.HUB_SWEEP_MIN_CHECKS = 4
    misses = [{"identifiers": [{"type": "phone", "value": f"+86 13{n} 1234 5678"}]} for n in range(4)]
    hits = [{"identifiers": [LISTED[0]]}, {"identifiers": REPORTED}]

    assert _batch(api, platform_analyst, [*misses, *hits]).status_code == 200

    alert = Alert.objects.get(kind="no_match_sweep", organisation=platform_analyst.organisation)
    assert (alert.details["checks"], alert.details["misses"]) == (4, 4)


def test_hits_first_then_misses_under_the_ratio_raise_nothing(api, listed_world, platform_analyst, settings):
    settings.HUB_SWEEP_MIN_CHECKS = 4
    misses = [{"identifiers": [{"type": "phone", "value": f"+86 13{n} 1234 5678"}]} for n in range(4)]
    hits = [{"identifiers": [LISTED[0]]}, {"identifiers": REPORTED}]

    assert _batch(api, platform_analyst, [*hits, *misses]).status_code == 200

    assert not Alert.objects.filter(kind="no_match_sweep").exists()


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,path",
    [
        ({"purpose": "seller_onboarding"}, ["sellers"]),
        ({"purpose": "seller_onboarding", "sellers": []}, ["sellers"]),
        ({"purpose": "seller_onboarding", "sellers": "x"}, ["sellers"]),
        ({"purpose": "seller_onboarding", "sellers": [{}]}, ["sellers", "0", "identifiers"]),
        ({"purpose": "seller_onboarding", "sellers": [{"identifiers": []}]}, ["sellers", "0", "identifiers"]),
        (
            {
                "purpose": "seller_onboarding",
                "sellers": [{"identifiers": MISS}, {"identifiers": [{"type": "phone"}]}],
            },
            ["sellers", "1", "identifiers", "0", "value"],
        ),
        (
            {"purpose": "seller_onboarding", "sellers": [{"identifiers": MISS, "reference": "x" * 201}]},
            ["sellers", "0", "reference"],
        ),
        (
            {"purpose": "seller_onboarding", "sellers": [{"identifiers": MISS, "reference": 5 * [1]}]},
            ["sellers", "0", "reference"],
        ),
        ({"purpose": "no_such_purpose", "sellers": [{"identifiers": MISS}]}, ["purpose"]),
        ({"sellers": [{"identifiers": MISS}]}, ["purpose"]),
        ("[]", ["non_field_errors"]),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, platform_analyst, body, path):
    response = api(platform_analyst).post("/api/v1/checks/batch", body, format="json")

    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    for key in path:
        fields = fields[key]
    assert fields


def test_an_invalid_value_is_named_by_its_seller_and_its_index_without_echoing_it(api, platform_analyst):
    sellers = [
        {"identifiers": MISS},
        {"identifiers": [*MISS, {"type": "phone", "value": "+86 12"}]},
        {"identifiers": [{"type": "email", "value": "not-an-email@@"}]},
    ]

    response = _batch(api, platform_analyst, sellers)

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["sellers"]
    assert set(fields) == {"1", "2"}
    assert fields["1"]["identifiers"]["1"]["value"] and fields["2"]["identifiers"]["0"]["value"]
    assert "not-an-email" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditTag.CHECK_RUN.value).exists()
    assert not QuotaUsage.objects.filter(used__gt=0).exists()


def test_too_many_sellers_is_a_400_naming_the_limit(api, platform_analyst, settings):
    settings.HUB_CHECK_BATCH_MAX_SELLERS = 3
    sellers = [{"identifiers": MISS}] * 4

    response = _batch(api, platform_analyst, sellers)

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["sellers"] == ["At most 3 sellers a batch."]
    assert _batch(api, platform_analyst, sellers[:3]).status_code == 200


def test_a_reference_given_twice_is_a_400_on_the_second(api, platform_analyst):
    sellers = [
        {"reference": "a", "identifiers": MISS},
        {"reference": "b", "identifiers": MISS},
        {"reference": "a", "identifiers": MISS},
    ]

    response = _batch(api, platform_analyst, sellers)

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["sellers"]
    assert fields == {"2": {"reference": ["This reference is already given to the seller at index 0."]}}


def test_a_role_without_check_run_is_refused(api, brand_reporter):
    response = _batch(api, brand_reporter, [{"identifiers": MISS}])

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditTag.CHECK_RUN.value).exists()


def test_a_json_nul_is_refused_naming_the_seller_and_the_field(api, platform_analyst):
    sellers = [{"identifiers": MISS}, {"identifiers": [{"type": "phone", "value": "before\x00after"}]}]

    response = _batch(api, platform_analyst, sellers)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "sellers.1.identifiers.0.value": ["NUL characters are not accepted."]
    }
    assert "before" not in response.content.decode()


def _statements(api, member, sellers) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(member)
    with CaptureQueriesContext(connection) as captured:
        assert (
            client.post(
                "/api/v1/checks/batch", {"purpose": "seller_onboarding", "sellers": sellers}, format="json"
            ).status_code
            == 200
        )
    return [query["sql"] for query in captured.captured_queries]


def test_the_reads_do_not_grow_with_the_sellers_only_each_checks_own_writes_do(
    api, listed_world, platform_analyst
):
    """One token lookup and one evidence read for the whole batch, and one statement each for the audit
    rows' positions, the audit rows and the subject matches: no statement per seller (none crosses a
    border here, so no transfer record is written)."""
    few = _statements(api, platform_analyst, [{"identifiers": [LISTED[0]]}] * 2)
    many = _statements(api, platform_analyst, [{"identifiers": [LISTED[0]]}] * 12)

    reads = [len([sql for sql in run if sql.lstrip().upper().startswith("SELECT")]) for run in (few, many)]
    assert reads[0] == reads[1]
    assert len(many) == len(few)


def test_the_batch_audit_rows_extend_the_verifiable_log_gaplessly(api, listed_world, platform_analyst):
    from accounts.audit.checkpoints import checkpoint_create
    from accounts.audit.verify import audit_verify

    _single(api, platform_analyst, MISS)
    _batch(api, platform_analyst, SELLERS)
    _single(api, platform_analyst, MISS)
    checkpoint_create(force=True)

    assert audit_verify() == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(len(seqs)))


def test_too_many_identifiers_in_all_is_a_400_naming_the_limit_in_the_readers_language(
    api, platform_analyst, settings
):
    settings.HUB_CHECK_BATCH_MAX_IDENTIFIERS = 3
    sellers = [{"identifiers": [MISS[0], {"type": "email", "value": f"s{n}@example.com"}]} for n in range(2)]

    response = _batch(api, platform_analyst, sellers)
    in_chinese = api(platform_analyst).post(
        "/api/v1/checks/batch",
        {"purpose": "seller_onboarding", "sellers": sellers},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-Hans",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["sellers"] == [
        "At most 3 identifiers a batch, its sellers together."
    ]
    assert in_chinese.json()["error"]["fields"]["sellers"] == ["每批最多 3 个标识符（所有卖家合计）。"]
    assert not QuotaUsage.objects.filter(used__gt=0).exists()
    assert _batch(api, platform_analyst, sellers[:1]).status_code == 200


def test_a_batch_the_remaining_quota_cannot_cover_is_refused_before_any_identifier_is_tokenised(
    api, platform_analyst, settings, monkeypatch
):
    from sharing.subjects.services import tokens

    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 3
    assert _batch(api, platform_analyst, [{"identifiers": MISS}]).status_code == 200
    evaluated: list[int] = []
    real = tokens.tokens_evaluate
    monkeypatch.setattr(tokens, "tokens_evaluate", lambda items: evaluated.append(len(items)) or real(items))
    sellers = [{"identifiers": [{"type": "phone", "value": f"+86 137 {n:04d} 5678"}]} for n in range(3)]

    refused = _batch(api, platform_analyst, sellers)

    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 61
    assert "phone" in refused.json()["error"]["message"]
    assert evaluated == []
    denied = AuditEvent.objects.get(actor_member=platform_analyst, action=AuditTag.QUOTA_EXCEEDED.value)
    assert denied.outcome == "denied" and denied.object_type == "check"
    used = QuotaUsage.objects.get(
        organisation=platform_analyst.organisation, bucket="check:phone", window="minute"
    )
    assert used.used == 1
    assert _batch(api, platform_analyst, sellers[:2]).status_code == 200 and evaluated == [1, 1]
