"""Malformed requests get a 4xx with a per-field message; nothing makes the hub answer 500."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import report_body

pytestmark = pytest.mark.django_db

PHONE = {"type": "phone", "value": "+8613800138000"}


def _post_raw(client, url: str, raw: bytes | str, content_type: str = "application/json"):
    return client.generic("POST", url, raw, content_type=content_type)


@pytest.mark.parametrize("url", ["/api/v1/checks", "/api/v1/reports"])
@pytest.mark.parametrize(
    "raw",
    [
        '{"purpose": "seller_onboarding", "identifiers": [',
        "not json at all",
        "[1, 2",
        '{"a": NaN}',
        "\xff\xfe",
        "[" * 5000,
    ],
)
def test_malformed_json_is_a_400_with_a_message(api, platform_admin_member, url, raw):
    response = _post_raw(
        api(platform_admin_member), url, raw.encode("latin-1") if isinstance(raw, str) else raw
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert response.json()["request_id"]


@pytest.fixture
def platform_admin_member(db):
    from accounts.roles import OrganisationKind, Role
    from tests.factories import persona

    return persona(OrganisationKind.PLATFORM, Role.ADMIN)


CHECK_CASES = [
    ({}, ["identifiers"]),
    ({"identifiers": []}, ["identifiers"]),
    ({"identifiers": "+8613800138000"}, ["identifiers"]),
    ({"identifiers": [{"type": "phone"}]}, ["identifiers", "0", "value"]),
    ({"identifiers": [{"value": "+8613800138000"}]}, ["identifiers", "0", "type"]),
    ({"identifiers": [{"type": "passport", "value": "E12345678"}]}, ["identifiers", "0", "type"]),
    (
        {"identifiers": [{"type": "phone", "value": 8613800138000}]},
        None,
    ),  # numbers are coerced to text: allowed
    ({"identifiers": [{"type": "phone", "value": ["+86"]}]}, ["identifiers", "0", "value"]),
    ({"identifiers": [{"type": "phone", "value": "12"}]}, ["identifiers", "0", "value"]),
    (
        {"identifiers": [PHONE, {"type": "national_id", "value": "110105194912310021", "country": "CN"}]},
        ["identifiers", "1", "value"],
    ),
    (
        {"identifiers": [{"type": "bank_account", "value": "DE89 3704 0044 0532 0130 01"}]},
        ["identifiers", "0", "value"],
    ),
    (
        {"identifiers": [{"type": "business_licence", "value": "91350100M000100Y44"}]},
        ["identifiers", "0", "value"],
    ),
    (
        {"identifiers": [{"type": "phone", "value": "+8613800138000", "country": "China"}]},
        ["identifiers", "0", "country"],
    ),
    ({"identifiers": [PHONE] * 51}, ["identifiers"]),
    ({"identifiers": [{"type": "phone", "value": "1" * 501}]}, ["identifiers", "0", "value"]),
    ([PHONE], ["non_field_errors"]),
    ({"identifiers": [PHONE], "purpose": ""}, ["purpose"]),
    ({"identifiers": [PHONE], "purpose": "parcel_screening"}, ["purpose"]),
    ({"identifiers": [PHONE], "purpose": ["seller_onboarding"]}, ["purpose"]),
]


def _field_messages(body: dict, path: list[str]):
    node = body["error"]["fields"]
    for key in path:
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


@pytest.mark.parametrize("payload,field_path", CHECK_CASES)
def test_check_bad_input_names_the_field(api, platform_admin_member, payload, field_path):
    # Each case is about its own field: the purpose is stated unless the case states its own.
    if isinstance(payload, dict):
        payload = {"purpose": "seller_onboarding", **payload}
    response = api(platform_admin_member).post("/api/v1/checks", payload, format="json")

    if field_path is None:
        assert response.status_code in (200, 400)
        return
    assert response.status_code == 400, response.content
    messages = _field_messages(response.json(), field_path)
    assert messages and all(isinstance(m, str) and m for m in _flatten(messages))


def _flatten(node):
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [m for v in node.values() for m in _flatten(v)]
    return [m for v in node for m in _flatten(v)]


REPORT_CASES = [
    ({"ip_type": "lasers"}, "ip_type"),
    ({"category": None}, "category"),
    ({"verification_level": "pinky_swear"}, "verification_level"),
    ({"statement": ""}, "statement"),
    ({"statement": "x" * 20001}, "statement"),
    ({"evidence": [{"name": "a.pdf", "content_base64": "%%%not base64%%%"}]}, "evidence"),
    ({"evidence": [{"name": "a.pdf", "content_base64": "QUJD"}] * 11}, "evidence"),
    ({"evidence": "a.pdf"}, "evidence"),
    ({"identifiers": [{"type": "email", "value": "no-at-sign.example.com"}]}, "identifiers"),
]


@pytest.mark.parametrize("change,field", REPORT_CASES)
def test_report_bad_input_names_the_field(api, platform_admin_member, change, field):
    response = api(platform_admin_member).post("/api/v1/reports", {**report_body(), **change}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_missing_report_fields_are_each_named(api, platform_admin_member):
    response = api(platform_admin_member).post("/api/v1/reports", {}, format="json")

    assert response.status_code == 400
    assert {"identifiers", "ip_type", "category", "verification_level", "statement"} <= set(
        response.json()["error"]["fields"]
    )


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_an_oversized_body_is_a_413(api, platform_admin_member):
    payload = json.dumps({**report_body(), "statement": "x" * 4096})

    response = _post_raw(api(platform_admin_member), "/api/v1/reports", payload)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


@override_settings(HUB_MAX_EVIDENCE_BYTES=10)
def test_oversized_evidence_is_refused_per_field(api, platform_admin_member):
    body = {**report_body(), "evidence": [{"name": "big.bin", "content_base64": "QUJDREVGR0hJSktMTU5PUA=="}]}

    response = api(platform_admin_member).post("/api/v1/reports", body, format="json")

    assert response.status_code == 400
    assert "evidence" in response.json()["error"]["fields"]


@pytest.mark.parametrize("url", ["/api/v1/reports/not-a-uuid", f"/api/v1/reports/{uuid.uuid4()}/retract"])
def test_unknown_or_malformed_ids_are_404(api, platform_admin_member, url):
    response = (
        api(platform_admin_member).post(url)
        if url.endswith("retract")
        else api(platform_admin_member).get(url)
    )

    assert response.status_code == 404


@pytest.mark.parametrize("query", ["data_class=secret", "since=yesterday", "organisation=nope", "limit=abc"])
def test_bad_audit_filters_are_400_or_ignored_never_500(api, auditor, query):
    response = api(auditor).get(f"/api/v1/audit?{query}")

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["error"]["fields"]


def test_a_bad_status_filter_is_a_400(api, platform_admin_member):
    response = api(platform_admin_member).get("/api/v1/reports?status=sideways")

    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Basic dXNlcjpwdw==", "Bearer iih_zzzzzzzz_" + "x" * 40, "Token abc"]
)
def test_bad_credentials_are_401_and_audited(client, header):
    from accounts.audit.models import AuditEvent

    response = client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [PHONE]},
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )

    assert response.status_code == 401
    assert AuditEvent.objects.filter(action="accounts:auth:failed", outcome="denied").exists()


def test_no_credentials_is_401(client):
    response = client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [PHONE]},
        content_type="application/json",
    )

    assert response.status_code == 401


def test_a_revoked_or_expired_key_is_refused(api, platform_admin_member):
    from django.utils import timezone

    from accounts.models import ApiKey
    from tests.factories import key_for

    revoked, expired = key_for(platform_admin_member), key_for(platform_admin_member)
    keys = list(ApiKey.objects.filter(member=platform_admin_member).order_by("id"))
    ApiKey.objects.filter(pk=keys[0].pk).update(revoked_at=timezone.now())
    ApiKey.objects.filter(pk=keys[1].pk).update(
        expires_at=timezone.now(), created_at=timezone.now() - timezone.timedelta(days=1)
    )
    from rest_framework.test import APIClient

    statuses = []
    for key in (revoked, expired):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        statuses.append(
            client.post(
                "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [PHONE]}, format="json"
            ).status_code
        )

    assert statuses == [401, 401]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
identifier_like = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            [
                "phone",
                "email",
                "national_id",
                "business_licence",
                "bank_account",
                "store_url",
                "shipping_address",
                "name",
                "device_id",
                "payment_account",
                "courier_sender_account",
                "waybill",
                "wechat_id",
                "qq_number",
                "weibo_account",
                "douyin_account",
                "kuaishou_account",
                "live_room",
                "observed_national_id",
                "observed_phone",
                "observed_business_licence",
                "observed_bank_account",
                "x",
            ]
        ),
        "value": st.text(max_size=40) | json_values,
    },
    optional={"country": st.text(max_size=3) | json_values},
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payload=st.one_of(
        json_values, st.fixed_dictionaries({"identifiers": st.lists(identifier_like, max_size=4)})
    )
)
def test_fuzzed_check_bodies_never_make_a_500(api, platform_admin_member, payload):
    response = api(platform_admin_member).post("/api/v1/checks", payload, format="json")

    assert response.status_code in (200, 400), response.content


seller_like = st.fixed_dictionaries(
    {"identifiers": st.lists(identifier_like, max_size=3) | json_values},
    optional={"reference": st.text(max_size=20) | json_values},
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payload=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"sellers": st.lists(seller_like, max_size=4) | json_values},
            optional={"purpose": st.sampled_from(["seller_onboarding", "x"]) | json_values},
        ),
    )
)
def test_fuzzed_batch_check_bodies_never_make_a_500(api, platform_admin_member, payload):
    response = api(platform_admin_member).post("/api/v1/checks/batch", payload, format="json")

    assert response.status_code in (200, 400), response.content


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    change=st.dictionaries(
        st.sampled_from(
            ["identifiers", "ip_type", "category", "verification_level", "statement", "evidence"]
        ),
        json_values,
        max_size=3,
    )
)
def test_fuzzed_report_bodies_never_make_a_500(api, platform_admin_member, change):
    response = api(platform_admin_member).post("/api/v1/reports", {**report_body(), **change}, format="json")

    assert response.status_code in (201, 400), response.content


def _endpoints_with_a_body():
    from tests.accounts.test_role_matrix import ENDPOINTS

    bodiless = ("retract", "revoke", "approve", "withdraw", "renew", "bulk")
    return [
        e for e in ENDPOINTS if e.method in ("post", "put") and not any(word in e.name for word in bodiless)
    ]


@pytest.mark.parametrize("endpoint", _endpoints_with_a_body(), ids=lambda e: e.name)
def test_every_endpoint_that_takes_a_body_answers_malformed_json_with_400(endpoint):
    from accounts.roles import ROLE_CAPABILITIES
    from tests.factories import client_for, persona

    kind, role = next(
        (k, r) for (k, r), caps in sorted(ROLE_CAPABILITIES.items()) if endpoint.capability in caps
    )
    member = persona(kind, role)
    url = endpoint.url(member)

    response = client_for(member).generic(
        endpoint.method.upper(), url, b'{"broken": ', content_type="application/json"
    )

    assert response.status_code == 400, (endpoint.name, response.content)
    assert response.json()["error"]["code"] == "parse_error"
