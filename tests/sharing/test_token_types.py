"""A supplied token counts only under the type it is stored as (review of issue 19, finding 1).

Through the oblivious path the hub never sees the PRF input, so it cannot tell which type a client put in
it. A client could compute a verified phone's token and claim it as `observed_phone` (or the reverse). The
rule: a token has a row per type (constraint `token_once_per_type`). A claim under another type reaches,
or creates, a row of that type only, so it never relabels, hides or reveals the row of the type the token
was derived for; and every path that reveals a match (checks, bulk, watch entries, disputes) matches a
row only under its own type.
"""

from __future__ import annotations

import json

import pytest

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from hub.keys import token_storage_keys
from sharing.crypto.tokens import token_evaluate, token_seal, token_unseal
from sharing.keys.services.token_storage import token_storage_rotate
from sharing.models import IdentifierToken, Report
from tests.factories import persona, report_body, report_make_accepted
from tests.sharing.test_bulk import _results_jsonl, _run_chunks, _submit

pytestmark = pytest.mark.django_db

PHONE = "+8613800138077"


def _supplied(claimed_type: str, derived_type: str = "phone") -> dict:
    token = token_evaluate(identifier_type=derived_type, canonical=PHONE)
    return {"type": claimed_type, "token": token.value, "key_version": token.key_version}


def test_a_claim_under_another_type_gets_a_row_of_its_own_and_hides_nothing(api, reviewer):
    """A courier first files a listed phone's token as a courier account (pre-labelling it); a brand's
    tokens-only report of the phone still reaches the phone's own row, and checks of the phone match."""
    courier = persona(K.LOGISTICS, R.REPORTER)
    brand = persona(K.RIGHTS_OWNER, R.REPORTER)
    platform = persona(K.PLATFORM, R.ANALYST)
    first = api(courier).post(
        "/api/v1/reports",
        report_body([_supplied("courier_sender_account"), {"type": "email", "value": "x1@example.com"}]),
        format="json",
    )
    assert first.status_code == 201, first.content

    second = api(brand).post(
        "/api/v1/reports",
        report_body([_supplied("phone"), {"type": "email", "value": "x2@example.com"}]),
        format="json",
    )
    assert second.status_code == 201, second.content
    api(reviewer).post(f"/api/v1/reports/{second.json()['id']}/accept", {"reason": "checked"}, format="json")

    rows = IdentifierToken.objects.filter(identifier_type__in=["phone", "courier_sender_account"])
    assert sorted(rows.values_list("identifier_type", flat=True)) == ["courier_sender_account", "phone"]
    phone_row = rows.get(identifier_type="phone")
    assert Report.objects.get(public_id=second.json()["id"]).identifiers.filter(token=phone_row).exists()
    answer = (
        api(platform)
        .post(
            "/api/v1/checks",
            {
                "purpose": "seller_onboarding",
                "identifiers": [{"type": "phone", "value": "+86 138 0013 8077"}],
            },
            format="json",
        )
        .json()
    )
    assert answer["level"] != "none" and answer["matched_types"] == ["phone"]


def test_a_supplied_claim_never_relabels_a_row_the_hub_typed(api, reviewer):
    brand = persona(K.RIGHTS_OWNER, R.REPORTER)
    report_make_accepted(
        brand, reviewer, [{"type": "phone", "value": PHONE}, {"type": "email", "value": "a@example.com"}]
    )
    phone_row = IdentifierToken.objects.get(identifier_type="phone")

    filed = api(persona(K.RIGHTS_OWNER, R.REPORTER)).post(
        "/api/v1/reports",
        report_body([_supplied("observed_phone"), {"type": "email", "value": "b@example.com"}]),
        format="json",
    )

    assert filed.status_code == 201
    phone_row.refresh_from_db()
    assert phone_row.identifier_type == "phone"
    mislabelled = IdentifierToken.objects.get(identifier_type="observed_phone")
    assert mislabelled.pk != phone_row.pk
    assert not Report.objects.get(public_id=filed.json()["id"]).identifiers.filter(token=phone_row).exists()


@pytest.mark.parametrize(("claimed", "derived"), [("observed_phone", "phone"), ("phone", "observed_phone")])
def test_checks_watch_entries_bulk_and_disputes_match_a_row_only_under_its_own_type(
    api, reviewer, claimed, derived
):
    """The listed row is the `derived` type's; a client claims its token as `claimed`: nothing matches."""
    report_make_accepted(
        persona(K.LOGISTICS, R.REPORTER),
        reviewer,
        [{"type": derived, "value": PHONE}, {"type": "courier_sender_account", "value": "sf:x1"}],
    )
    platform = persona(K.PLATFORM, R.ADMIN)
    client = api(platform)
    mislabelled = _supplied(claimed, derived)
    honest = _supplied(derived, derived)

    def check(item) -> dict:
        response = client.post(
            "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [item]}, format="json"
        )
        assert response.status_code == 200, response.content
        return response.json()

    assert check(honest)["level"] != "none"  # the row is listed: a claim under its own type finds it
    assert check(mislabelled)["level"] == "none" and check(mislabelled)["matched_types"] == []

    watched = client.post(
        "/api/v1/watchlist",
        {"purpose": "seller_onboarding", "ref": "w1", "identifiers": [mislabelled]},
        format="json",
    )
    assert watched.status_code in (200, 201), watched.content
    assert watched.json().get("level", "none") == "none"

    disputed = client.post(
        "/api/v1/disputes",
        {
            "identifiers": [mislabelled],
            "grounds": "This seller is our customer and was never a counterfeiter.",
        },
        format="json",
    )
    assert disputed.status_code == 404, disputed.content  # no live report names it under that type

    lines = [
        json.dumps({"ref": "honest", "identifiers": [honest]}),
        json.dumps({"ref": "mislabelled", "identifiers": [mislabelled]}),
    ]
    job = _submit(platform, ("\n".join(lines) + "\n").encode(), "sellers.jsonl")
    _run_chunks(job)
    results = {row["ref"]: row for row in _results_jsonl(platform, job)}
    assert results["honest"]["level"] != "none"
    assert results["mislabelled"]["level"] == "none" and results["mislabelled"]["matched_types"] == []


# --- review 3: every path keeps tokens apart by type ------------------------------------------------


def test_a_bulk_row_matches_each_token_only_under_its_own_type(api, reviewer):
    report_make_accepted(
        persona(K.LOGISTICS, R.REPORTER),
        reviewer,
        [{"type": "phone", "value": PHONE}, {"type": "courier_sender_account", "value": "sf:x1"}],
    )
    platform = persona(K.PLATFORM, R.ADMIN)
    mislabelled = _supplied("observed_phone")
    unlisted_phone = {"type": "phone", "value": "+8613900000000"}
    single = (
        api(platform)
        .post(
            "/api/v1/checks",
            {"purpose": "seller_onboarding", "identifiers": [mislabelled, unlisted_phone]},
            format="json",
        )
        .json()
    )
    assert single["level"] == "none"  # single check: the claim does not reach the phone row
    line = json.dumps({"ref": "r", "identifiers": [mislabelled, unlisted_phone]}) + "\n"
    job = _submit(platform, line.encode(), "sellers.jsonl")
    _run_chunks(job)
    (row,) = _results_jsonl(platform, job)
    assert row["level"] == "none", row  # no: only the phone row, under its type


def test_storage_key_rotation_merges_a_row_into_its_own_types_row(settings):
    token = token_evaluate(identifier_type="phone", canonical=PHONE)
    IdentifierToken.objects.create(
        token=token_seal(token.value, keys=token_storage_keys()),
        identifier_type="phone",
        key_version=token.key_version,
    )
    settings.HUB_TOKEN_STORAGE_KEYS += ",2:" + "5a" * 64
    new_form = token_seal(token.value, keys=token_storage_keys())
    assert new_form.startswith("2:")
    # A request stored the phone under the new key meanwhile, and a claim under observed_phone has its own row.
    for kind in ("phone", "observed_phone"):
        IdentifierToken.objects.create(token=new_form, identifier_type=kind, key_version=token.key_version)
    token_storage_rotate()
    assert IdentifierToken.objects.filter(identifier_type="phone").count() == 1


def test_one_token_under_two_types_is_two_identifiers_whatever_their_order(api, reviewer):
    report_make_accepted(
        persona(K.LOGISTICS, R.REPORTER),
        reviewer,
        [{"type": "phone", "value": PHONE}, {"type": "courier_sender_account", "value": "sf:x1"}],
    )
    client = api(persona(K.PLATFORM, R.ADMIN))

    def level(items):
        return client.post(
            "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": items}, format="json"
        ).json()["level"]

    honest, mislabelled = _supplied("phone"), _supplied("observed_phone")
    assert level([honest, mislabelled]) != "none"
    assert level([mislabelled, honest]) != "none"


def test_storage_key_rotation_keeps_the_parcel_events_of_a_merged_row(settings, courier_analyst):
    from sharing.models import ParcelEvent
    from tests.sharing.test_parcel_events import _record

    assert _record(courier_analyst).status_code == 201
    event = ParcelEvent.objects.get()
    phone_row = event.tokens.get(identifier_type="phone")
    bare = token_unseal(phone_row.token, keys=token_storage_keys())
    settings.HUB_TOKEN_STORAGE_KEYS += ",2:" + "5a" * 64
    # A request stored the same phone under the new key meanwhile (the race _merge exists for).
    IdentifierToken.objects.create(
        token=token_seal(bare, keys=token_storage_keys()),
        identifier_type="phone",
        key_version=phone_row.key_version,
    )
    summary = token_storage_rotate()
    assert summary.merged == 1
    assert event.tokens.filter(identifier_type="phone").exists()
