"""Audit rows name a request by the hub's own id; a client's X-Request-Id is kept apart, validated."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from accounts.audit.log import canonical_leaf
from accounts.audit.models import AuditEvent, DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag

pytestmark = pytest.mark.django_db

HUB_ID = re.compile(r"^[0-9a-f]{32}$")
PHONE = {"type": "phone", "value": "+86 138 0013 8000"}


def _check(client, **headers):
    return client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [PHONE]},
        format="json",
        headers=headers,
    )


def test_a_client_cannot_choose_the_request_id_its_audit_rows_carry(api, platform_analyst):
    client = api(platform_analyst)
    before = AuditEvent.objects.count()
    response = _check(client, **{"X-Request-Id": "another-members-request-0001"})

    rows = list(AuditEvent.objects.order_by("seq")[before:])
    assert response.status_code == 200 and rows
    assert HUB_ID.match(response["X-Request-Id"])
    for row in rows:
        assert row.request_id == response["X-Request-Id"]
        assert row.client_request_id == "another-members-request-0001"


def test_every_request_gets_a_fresh_hub_id_even_when_a_client_repeats_its_own(api, platform_analyst):
    client = api(platform_analyst)
    first = _check(client, **{"X-Request-Id": "retry-1234"})
    second = _check(client, **{"X-Request-Id": "retry-1234"})

    assert first["X-Request-Id"] != second["X-Request-Id"]


@pytest.mark.parametrize(
    "offered",
    ["x" * 65, "spaces are not allowed", "naïve-id", "tab\tid", "bell\x07", "line\nbreak", ""],
    ids=["too-long", "space", "non-ascii", "tab", "control", "newline", "empty"],
)
def test_an_unacceptable_client_request_id_is_dropped_and_the_request_still_served(
    api, platform_analyst, offered
):
    client = api(platform_analyst)
    before = AuditEvent.objects.count()
    response = client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [PHONE]},
        format="json",
        HTTP_X_REQUEST_ID=offered,
    )

    rows = list(AuditEvent.objects.order_by("seq")[before:])
    assert response.status_code == 200 and rows
    assert all(row.client_request_id is None and HUB_ID.match(row.request_id) for row in rows)


def test_a_client_request_id_with_a_nul_is_refused_like_every_nul_input(api, platform_analyst):
    # hub/input_guard.py refuses a NUL in any header before the request id is looked at.
    response = api(platform_analyst).post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [PHONE]},
        format="json",
        HTTP_X_REQUEST_ID="nul\x00id",
    )

    assert response.status_code == 400


def test_the_longest_acceptable_client_request_id_is_kept(api, platform_analyst):
    offered = "A!~" + "z" * 61
    client = api(platform_analyst)
    before = AuditEvent.objects.count()
    _check(client, **{"X-Request-Id": offered})

    assert AuditEvent.objects.order_by("seq")[before].client_request_id == offered


def test_refused_requests_audit_the_hub_id_and_the_client_id_too():
    """An unknown API key is audited with no actor: the ids still come from the request."""
    before = AuditEvent.objects.count()
    response = APIClient().post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [PHONE]},
        format="json",
        HTTP_AUTHORIZATION="Bearer iih_unknown0_" + "x" * 40,
        HTTP_X_REQUEST_ID="probe-77",
    )

    row = AuditEvent.objects.order_by("seq")[before]
    assert response.status_code in (401, 403)
    assert (row.request_id, row.client_request_id) == (response["X-Request-Id"], "probe-77")


def test_the_client_request_id_is_part_of_the_signed_leaf_only_when_present(api, platform_analyst):
    _check(api(platform_analyst), **{"X-Request-Id": "mine-1"})
    with_client_id = AuditEvent.objects.exclude(client_request_id=None).last()
    without = audit_record(
        actor=None, tag=AuditTag.REPORT_EXPIRED, data_class=DataClass.ADMINISTRATIVE, target_type="x"
    )

    assert '"client_request_id":"mine-1"' in canonical_leaf(with_client_id).decode()
    assert "client_request_id" not in canonical_leaf(without).decode()  # leaves of older rows are unchanged
