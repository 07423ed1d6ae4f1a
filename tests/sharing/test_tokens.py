"""Oblivious tokens through the API: RFC 9497 vectors, raw = oblivious, storage rotation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.audit.models import AuditEvent, DataClass
from hub.env import ConfigurationError
from hub.keys import parse_key_ring
from hubcore import oprf
from hubcore.identifiers import normalise
from hubcore.tokens import token_input
from sharing.models import IdentifierToken
from tests.factories import report_make_accepted

pytestmark = pytest.mark.django_db
VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "rfc9497_ristretto255_oprf.json").read_text())


@pytest.fixture
def rfc_key(settings):
    """The hub's OPRF key set to the RFC's own seed and key info."""
    settings.HUB_OPRF_SEED = VECTORS["Seed"]
    settings.HUB_OPRF_KEY_INFO = VECTORS["KeyInfo_ascii"]


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_the_evaluate_endpoint_answers_the_rfc_vectors(api, platform_analyst, rfc_key, vector):
    response = api(platform_analyst).post(
        "/api/v1/tokens/evaluate", {"blinded_elements": [vector["BlindedElement"]]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"evaluated_elements": [vector["EvaluationElement"]], "key_version": 1}
    output = oprf.finalize(
        bytes.fromhex(vector["Input"]),
        bytes.fromhex(vector["Blind"]),
        bytes.fromhex(response.json()["evaluated_elements"][0]),
    )
    assert output.hex() == vector["Output"]


def _oblivious_token(client, identifier_type: str, value: str, country: str = "CN") -> dict:
    canonical = normalise(identifier_type, value, default_country=country)
    message = token_input(identifier_type=canonical.type, canonical=canonical.value)
    blind, blinded = oprf.blind(message)
    answer = client.post(
        "/api/v1/tokens/evaluate", {"blinded_elements": [blinded.hex()]}, format="json"
    ).json()
    output = oprf.finalize(message, blind, bytes.fromhex(answer["evaluated_elements"][0]))
    return {"type": identifier_type, "token": output.hex(), "key_version": answer["key_version"]}


def test_raw_and_oblivious_paths_give_the_same_token_and_the_same_answer(
    api, brand_reporter, reviewer, platform_analyst
):
    report_make_accepted(brand_reporter, reviewer, [{"type": "phone", "value": "+86 138 0013 8000"}])
    client = api(platform_analyst)

    token_item = _oblivious_token(client, "phone", "0086 138-0013-8000")
    by_token = client.post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [token_item]}, format="json"
    ).json()
    by_value = client.post(
        "/api/v1/checks",
        {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "13800138000"}]},
        format="json",
    ).json()

    assert by_token["level"] == by_value["level"] == "reported"
    assert by_token["matched_types"] == by_value["matched_types"] == ["phone"]


def test_a_report_made_of_tokens_links_like_a_raw_one(
    api, brand_reporter, other_brand_reporter, reviewer, platform_analyst
):
    reporter_client = api(other_brand_reporter)
    item = _oblivious_token(reporter_client, "email", "Seller.X@Example.com")
    body = {
        "identifiers": [item],
        "ip_type": "trademark",
        "category": "counterfeit",
        "verification_level": "rights_owner_verified",
        "statement": "seen on two platforms",
        "authenticity_guaranteed": True,
    }
    report_id = reporter_client.post("/api/v1/reports", body, format="json").json()["id"]
    api(reviewer).post(f"/api/v1/reports/{report_id}/accept", {"reason": "evidence checked"}, format="json")
    report_make_accepted(brand_reporter, reviewer, [{"type": "email", "value": "seller.x@example.com"}])

    result = (
        api(platform_analyst)
        .post(
            "/api/v1/checks",
            {
                "purpose": "seller_onboarding",
                "identifiers": [{"type": "email", "value": "SELLER.X@example.com"}],
            },
            format="json",
        )
        .json()
    )

    assert result["level"] == "listed" and result["reporting_organisations"] == 2


def test_malformed_hex_is_named_by_index_and_nothing_is_evaluated(api, platform_analyst):
    good = oprf.blind(b"x")[1].hex()

    response = api(platform_analyst).post(
        "/api/v1/tokens/evaluate", {"blinded_elements": [good, "abc", good]}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]["blinded_elements"]) == {"1"}
    assert not AuditEvent.objects.filter(action="sharing:tokens:evaluated").exists()


def test_identity_and_invalid_points_are_refused_by_index(api, platform_analyst):
    good = oprf.blind(b"x")[1].hex()

    response = api(platform_analyst).post(
        "/api/v1/tokens/evaluate", {"blinded_elements": [good, "00" * 32, "ff" * 32]}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]["blinded_elements"]) == {"1", "2"}
    assert not AuditEvent.objects.filter(action="sharing:tokens:evaluated").exists()


def test_the_batch_is_capped(api, platform_analyst, settings):
    settings.HUB_MAX_EVALUATE_BATCH = 3
    elements = [oprf.blind(bytes([i]))[1].hex() for i in range(4)]

    response = api(platform_analyst).post(
        "/api/v1/tokens/evaluate", {"blinded_elements": elements}, format="json"
    )

    assert response.status_code == 400 and "blinded_elements" in response.json()["error"]["fields"]


def test_evaluation_is_audited_with_the_count_only(api, platform_analyst):
    elements = [oprf.blind(bytes([i]))[1].hex() for i in range(3)]

    api(platform_analyst).post("/api/v1/tokens/evaluate", {"blinded_elements": elements}, format="json")

    event = AuditEvent.objects.get(action="sharing:tokens:evaluated")
    assert event.data_class == DataClass.SHAREABLE and event.details == {"count": 3}
    assert not any(e in json.dumps(event.details) for e in elements)


def test_a_token_under_a_retired_key_version_is_refused(api, platform_analyst):
    item = {"type": "phone", "token": "ab" * 64, "key_version": 7}

    response = api(platform_analyst).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [item]}, format="json"
    )

    assert response.status_code == 400
    assert "token" in response.json()["error"]["fields"]["identifiers"]["0"]


def test_storage_rotation_rewrites_in_place_and_lookups_work_before_during_and_after(
    api, brand_reporter, reviewer, platform_analyst, settings
):
    report_make_accepted(
        brand_reporter,
        reviewer,
        [{"type": "phone", "value": "+86 138 0013 8000"}, {"type": "email", "value": "seller0@example.com"}],
    )
    old_forms = set(IdentifierToken.objects.values_list("token", flat=True))
    check = {"purpose": "seller_onboarding", "identifiers": [{"type": "phone", "value": "+8613800138000"}]}
    settings.HUB_TOKEN_STORAGE_KEYS += ",2:" + "5a" * 64

    during = api(platform_analyst).post("/api/v1/checks", check, format="json").json()["level"]
    call_command("rotate_token_storage", "--batch-size", "1")
    settings.HUB_TOKEN_STORAGE_KEYS = "2:" + "5a" * 64
    after = api(platform_analyst).post("/api/v1/checks", check, format="json").json()["level"]

    new_forms = set(IdentifierToken.objects.values_list("token", flat=True))
    assert during == after == "reported"
    assert all(form.startswith("2:") for form in new_forms) and not new_forms & old_forms
    assert IdentifierToken.objects.count() == 2


def test_rotation_dry_run_counts_and_changes_nothing(brand_reporter, reviewer, settings, capsys):
    report_make_accepted(brand_reporter, reviewer, [{"type": "phone", "value": "+86 138 0013 8000"}])
    settings.HUB_TOKEN_STORAGE_KEYS += ",2:" + "5a" * 64

    call_command("rotate_token_storage", "--dry-run")

    assert "1 stored tokens" in capsys.readouterr().out
    assert IdentifierToken.objects.get().token.startswith("1:")


def test_storage_keys_parse_strictly():
    with pytest.raises(ConfigurationError):
        parse_key_ring("HUB_TOKEN_STORAGE_KEYS", "1:abcd", length=64)
