"""Cross-border transfers: shareable data reaches a member outside the data's residency only under a
basis the deployment configured for its jurisdiction, and each delivery is recorded with that basis."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from accounts.transfers.models import CrossBorderTransfer, TransferChannel
from hub.env import ConfigurationError
from hub.jurisdiction import residency_parse, transfer_bases_parse
from sharing.feed.services.content import LISTINGS_COLLECTION_ID
from sharing.models import WatchEntry, WebhookOutbox
from sharing.watchlists.services import webhooks
from sharing.watchlists.tasks import webhook_deliver_task
from tests.factories import feed_subscribed, persona, report_make_accepted, seller_identifiers
from tests.webhook_receiver import receiver  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

CHECK = {"purpose": "seller_onboarding", "identifiers": seller_identifiers()}


@pytest.fixture(autouse=True)
def _no_transfer_bases(settings):
    """No destination has a basis unless a test names one (the embedded default names its demo's)."""
    settings.HUB_TRANSFER_BASES = {}


@pytest.fixture
def hk_analyst(db):
    return persona(K.PLATFORM, R.ANALYST, country="HK", jurisdiction="HK")


@pytest.fixture
def hk_basis(settings):
    settings.HUB_TRANSFER_BASES = {"HK": "standard_contract"}


def test_a_check_from_abroad_without_a_basis_is_refused_and_the_refusal_audited(api, hk_analyst):
    answer = api(hk_analyst).post("/api/v1/checks", CHECK, format="json")

    assert answer.status_code == 403
    assert "HK" in answer.json()["error"]["message"]
    refusal = AuditEvent.objects.get(action=AuditTag.TRANSFER_REFUSED)
    assert refusal.outcome == Outcome.DENIED and refusal.actor_member == hk_analyst
    assert refusal.details == {"reason": "no_transfer_basis"}
    assert not AuditEvent.objects.filter(action=AuditTag.CHECK_RUN).exists()
    assert not CrossBorderTransfer.objects.exists()


def test_a_check_from_abroad_under_a_basis_is_answered_and_recorded(api, hk_analyst, hk_basis):
    answer = api(hk_analyst).post("/api/v1/checks", CHECK, format="json")

    assert answer.status_code == 200
    transfer = CrossBorderTransfer.objects.get()
    assert (transfer.origin, transfer.destination, transfer.basis) == ("CN", "HK", "standard_contract")
    assert transfer.channel == TransferChannel.CHECK and transfer.member == hk_analyst
    assert transfer.object_id == answer.json()["check_id"]


def test_a_check_at_home_crosses_no_border(api, platform_analyst):
    answer = api(platform_analyst).post("/api/v1/checks", CHECK, format="json")

    assert answer.status_code == 200
    assert not CrossBorderTransfer.objects.exists()


def test_the_residency_decides_what_is_abroad(api, platform_analyst, settings):
    settings.HUB_DATA_RESIDENCY = "SG"

    answer = api(platform_analyst).post("/api/v1/checks", CHECK, format="json")

    assert answer.status_code == 403


def test_the_feed_from_abroad_is_refused_without_a_basis_and_recorded_with_one(api, hk_analyst, settings):
    url = f"/taxii2/hub/collections/{LISTINGS_COLLECTION_ID}/objects/"
    feed_subscribed(hk_analyst)  # purpose limitation first: the transfer rule is what is tested here
    refused = api(hk_analyst).get(url, HTTP_ACCEPT="application/taxii+json;version=2.1")
    settings.HUB_TRANSFER_BASES = {"HK": "certification"}

    allowed = api(hk_analyst).get(url, HTTP_ACCEPT="application/taxii+json;version=2.1")

    assert refused.status_code == 403
    assert allowed.status_code == 200
    transfer = CrossBorderTransfer.objects.get()
    assert transfer.channel == TransferChannel.FEED and transfer.basis == "certification"
    assert transfer.object_id == LISTINGS_COLLECTION_ID


def test_bulk_screening_from_abroad_without_a_basis_is_refused(api):
    customs = persona(K.CUSTOMS, R.ANALYST, country="DE", jurisdiction="DE")
    upload = SimpleUploadedFile("a.csv", b"ref,type,value\nr1,phone,+86 138 0013 8000\n")

    answer = api(customs).post(
        "/api/v1/bulk-checks", {"purpose": "parcel_screening", "file": upload}, format="multipart"
    )

    assert answer.status_code == 403
    assert AuditEvent.objects.filter(action=AuditTag.TRANSFER_REFUSED).exists()


def test_a_watchlist_from_abroad_without_a_basis_is_refused(api):
    payments = persona(K.PAYMENT_PROVIDER, R.ANALYST, country="GB", jurisdiction="GB")

    answer = api(payments).post(
        "/api/v1/watchlist",
        {"identifiers": seller_identifiers(), "ref": "merchant-1", "purpose": "payment_screening"},
        format="json",
    )

    assert answer.status_code == 403


def test_outcomes_abroad_are_refused_without_a_basis(api):
    owner = persona(K.RIGHTS_OWNER, R.REPORTER, country="FR", jurisdiction="FR")

    answer = api(owner).get("/api/v1/outcomes")

    assert answer.status_code == 403


def test_a_webhook_abroad_is_given_up_without_a_basis_and_recorded_with_one(receiver, settings):  # noqa: F811
    admin = persona(K.PLATFORM, R.ADMIN, country="HK", jurisdiction="HK")
    endpoint, _ = webhooks.webhook_register(url=receiver.url, actor=Actor(member=admin))
    events = [(endpoint, {"watch_ref": f"s-{n}", "identifier_type": "phone"}) for n in range(2)]
    for n in range(2):  # watched under an allowed purpose: delivery re-checks it
        WatchEntry.objects.create(
            organisation=admin.organisation,
            token=f"1:watched-{n}",
            identifier_type="phone",
            ref=f"s-{n}",
            purpose="seller_onboarding",
            created_by=admin,
        )
    first, second = webhooks.webhook_events_write(
        event_type="subject.linked", events=events, now=timezone.now()
    )

    refused = webhook_deliver_task(first.pk)
    settings.HUB_TRANSFER_BASES = {"HK": "security_assessment"}
    delivered = webhook_deliver_task(second.pk)

    assert refused == "skipped"
    given_up = WebhookOutbox.objects.get(pk=first.pk)
    assert (given_up.status, given_up.last_error) == ("failed", "no_transfer_basis")
    assert len(receiver.requests) == 1
    assert delivered == "delivered"
    transfer = CrossBorderTransfer.objects.get()
    assert transfer.channel == TransferChannel.WEBHOOK and transfer.object_id == str(second.event_id)


def test_report_data_carries_the_residency_at_arrival(brand_reporter, reviewer, settings):
    report = report_make_accepted(brand_reporter, reviewer)
    settings.HUB_DATA_RESIDENCY = "SG"

    later = report_make_accepted(brand_reporter, reviewer, identifiers=seller_identifiers(1))

    assert (report.jurisdiction, later.jurisdiction) == ("CN", "SG")


def test_transfer_bases_are_parsed_strictly():
    assert transfer_bases_parse("X", "hk:standard_contract, DE:scc", residency="CN") == {
        "HK": "standard_contract",
        "DE": "scc",
    }
    assert transfer_bases_parse("X", "", residency="CN") == {}
    for bad in ("HK", "HK:contract", "ZZ:scc", "CN:scc", "HK:scc,HK:adequacy"):
        with pytest.raises(ConfigurationError):
            transfer_bases_parse("X", bad, residency="CN")
    assert residency_parse("X", " cn ") == "CN"
    with pytest.raises(ConfigurationError):
        residency_parse("X", "China")


def test_an_operator_admits_an_organisation_with_its_jurisdiction(api, operator_admin):
    body = {"name": "Hong Kong Customs", "kind": "customs", "country": "HK", "jurisdiction": "hk"}

    created = api(operator_admin).post("/api/v1/organisations", body, format="json")
    defaulted = api(operator_admin).post(
        "/api/v1/organisations", {"name": "SAMR", "kind": "market_regulator", "country": "CN"}, format="json"
    )
    refused = api(operator_admin).post(
        "/api/v1/organisations", {**body, "name": "Other", "jurisdiction": "XX"}, format="json"
    )

    assert created.status_code == 201 and created.json()["jurisdiction"] == "HK"
    assert defaulted.status_code == 201 and defaulted.json()["jurisdiction"] == "CN"
    assert refused.status_code == 400 and "jurisdiction" in refused.json()["error"]["fields"]
