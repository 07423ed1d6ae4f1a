"""The repeat-infringer scenario, end to end through the API.

A seller banned on platform A re-registers on platform B with a new store URL and
the same bank account. B's check flags it and explains why; the seller disputes
through B; the reporter misses the deadline; the reports are suspended; the
subject drops to the right level; B's webhook fired each time.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.due_process.services.disputes import disputes_lapse
from sharing.models import ReportStatus
from sharing.watchlists.tasks import webhook_deliver_task
from tests.factories import broker_stand_in, member_make, persona
from tests.webhook_receiver import Receiver, receiver  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
BANK = {"type": "bank_account", "value": "DE89 3704 0044 0532 0130 00"}
OLD_STORE = {"type": "store_url", "value": "https://shop5550001.taobao.com/"}
NEW_STORE = {"type": "store_url", "value": "https://mall.jd.com/index-1000099999.html"}


@pytest.fixture
def deliveries(monkeypatch):
    """The broker boundary: enqueued webhook deliveries wait here until delivered()."""
    queue = broker_stand_in(monkeypatch, webhook_deliver_task)

    def delivered() -> None:
        while queue:
            webhook_deliver_task(queue.pop(0))

    return delivered


def _events(receiver: Receiver) -> list[dict]:
    return [json.loads(r["body"]) for r in receiver.requests]


def test_a_banned_seller_reappearing_on_another_platform(
    api, receiver, deliveries, django_capture_on_commit_callbacks
):
    platform_a = persona(K.PLATFORM, R.REPORTER)
    brand = persona(K.RIGHTS_OWNER, R.REPORTER)
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    platform_b_admin = persona(K.PLATFORM, R.ADMIN)
    platform_b = member_make(platform_b_admin.organisation, R.ANALYST)
    b_admin, b, op = api(platform_b_admin), api(platform_b), api(reviewer)

    # B onboards a seller and watches it; A had banned the same person's old store.
    b_admin.post("/api/v1/webhooks", {"url": receiver.url}, format="json")
    b.post(
        "/api/v1/watchlist",
        {"purpose": "seller_onboarding", "identifiers": [NEW_STORE, BANK], "ref": "B-seller-77"},
        format="json",
    )
    for reporter, level in ((platform_a, "platform_enforcement"), (brand, "rights_owner_verified")):
        report_id = (
            api(reporter)
            .post(
                "/api/v1/reports",
                {
                    "identifiers": [OLD_STORE, BANK],
                    "ip_type": "trademark",
                    "category": "counterfeit",
                    "verification_level": level,
                    "statement": "Store closed after counterfeit notices.",
                    "authenticity_guaranteed": True,
                },
                format="json",
            )
            .json()["id"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            op.post(f"/api/v1/reports/{report_id}/accept", {"reason": "evidence checked"}, format="json")
        deliveries()
    linked_events = _events(receiver)

    # B's check of the new account flags it, through the shared bank account.
    check = b.post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [NEW_STORE, BANK]}, format="json"
    ).json()

    assert check["level"] == "listed" and check["matched_types"] == ["bank_account"]
    assert check["reporting_organisations"] == 2 and check["reporter_kinds"] == ["platform", "rights_owner"]
    assert "shared bank account" in check["explanation"] and "1 store account" in check["explanation"]
    assert [e["type"] for e in linked_events] == ["subject.level_changed", "subject.level_changed"]
    assert [(e["data"]["from"], e["data"]["to"]) for e in linked_events] == [
        ("none", "reported"),
        ("reported", "listed"),
    ]
    assert all(e["data"]["watch_ref"] == "B-seller-77" for e in linked_events)

    # The seller disputes through B; the reporters never answer.
    dispute = b.post(
        "/api/v1/disputes",
        {"identifiers": [NEW_STORE, BANK], "grounds": "The seller is a licensed reseller."},
        format="json",
    ).json()
    from datetime import date

    due = date.fromisoformat(dispute["response_due"])
    with django_capture_on_commit_callbacks(execute=True):
        lapsed = disputes_lapse(today=due + timedelta(days=1))
    deliveries()

    after = b.post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [NEW_STORE, BANK]}, format="json"
    ).json()
    detail = b.get(f"/api/v1/disputes/{dispute['id']}").json()
    from sharing.models import Report

    assert lapsed == 1 and detail["status"] == "lapsed"
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.SUSPENDED}
    assert after["level"] == "none"
    drop = _events(receiver)[len(linked_events) :]
    # The lapse suspends both reports in one change: one event, from what B last heard.
    assert [(e["type"], e["data"]["from"], e["data"]["to"]) for e in drop] == [
        ("subject.level_changed", "listed", "none")
    ]
    assert all(r["headers"].get("webhook-signature", "").startswith("v1,") for r in receiver.requests)
