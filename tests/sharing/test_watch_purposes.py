"""A watch entry reveals matches only under a purpose its organisation may state now; without one it
writes no events and no match records, shows as needing a purpose, and can be restated."""

from __future__ import annotations

import uuid

import pytest

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, Outcome
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import SubjectMatch, WatchEntry, WebhookOutbox
from sharing.subjects.services.tokens import RawIdentifier
from sharing.watchlists.services.watchlists import watchlist_add
from sharing.watchlists.services.webhooks import webhook_deliver, webhook_register
from tests.factories import member_make, persona, report_make_accepted

pytestmark = pytest.mark.django_db

PHONE = {"type": "phone", "value": "+86 138 0013 8071"}
EMAIL = {"type": "email", "value": "purposeless.seller@example.com"}


@pytest.fixture
def watcher():
    """A platform analyst watching one seller by phone, with one endpoint."""
    analyst = persona(K.PLATFORM, R.ANALYST)
    webhook_register(
        url="http://127.0.0.1:9/hook", actor=Actor(member=member_make(analyst.organisation, R.ADMIN))
    )
    watchlist_add(
        purpose="seller_onboarding",
        identifiers=[RawIdentifier(**PHONE)],
        ref="seller-9",
        actor=Actor(member=analyst),
    )
    return analyst


def _report_seller() -> None:
    reporter, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    report_make_accepted(reporter, reviewer, [PHONE, EMAIL])


def _agree_only(organisation, purposes: list[str]) -> None:
    organisation.agreed_purposes = purposes
    organisation.save(update_fields=["agreed_purposes"])


def test_an_entry_under_an_allowed_purpose_hears_and_records_its_match(watcher):
    _report_seller()

    assert WebhookOutbox.objects.filter(endpoint__organisation=watcher.organisation).count() == 1
    match = SubjectMatch.objects.get(organisation=watcher.organisation)
    assert match.purpose == "seller_onboarding"


def test_an_entry_without_a_purpose_writes_no_event_and_no_match(watcher):
    WatchEntry.objects.update(purpose="")

    _report_seller()

    assert not WebhookOutbox.objects.exists()
    assert not SubjectMatch.objects.filter(organisation=watcher.organisation).exists()
    assert WatchEntry.objects.get().last_level == "none"


def test_an_entry_whose_purpose_the_agreement_dropped_writes_no_event_and_no_match(watcher):
    _agree_only(watcher.organisation, ["investigation"])

    _report_seller()

    assert not WebhookOutbox.objects.exists()
    assert not SubjectMatch.objects.filter(organisation=watcher.organisation).exists()


def test_an_event_written_before_the_agreement_dropped_the_purpose_is_cancelled_not_sent(watcher):
    _report_seller()
    row = WebhookOutbox.objects.get()
    _agree_only(watcher.organisation, ["investigation"])

    status = webhook_deliver(outbox_id=row.pk)

    row.refresh_from_db()
    assert status == "skipped"
    assert (row.status, row.last_error, row.attempts) == ("cancelled", "no_allowed_purpose", 0)
    assert not row.delivery_attempts.exists()


def test_the_list_shows_an_entry_that_needs_a_purpose(api, watcher):
    WatchEntry.objects.update(purpose="")

    response = api(watcher).get("/api/v1/watchlist")

    assert response.status_code == 200
    assert [(r["purpose"], r["needs_purpose"]) for r in response.json()["results"]] == [("", True)]


def test_restating_an_allowed_purpose_is_audited_and_the_entry_hears_again(api, watcher):
    entry = WatchEntry.objects.get()
    WatchEntry.objects.update(purpose="")

    response = api(watcher).patch(
        f"/api/v1/watchlist/{entry.public_id}", {"purpose": "listing_review"}, format="json"
    )
    _report_seller()

    assert response.status_code == 200
    assert (response.json()["purpose"], response.json()["needs_purpose"]) == ("listing_review", False)
    assert WatchEntry.objects.get().purpose == "listing_review"
    event = AuditEvent.objects.filter(
        action="sharing:watch:added", object_id=str(entry.public_id), outcome=Outcome.ALLOWED
    ).get()
    assert event.details["restated"] is True and event.details["purpose"] == "listing_review"
    assert WebhookOutbox.objects.count() == 1
    assert SubjectMatch.objects.get(organisation=watcher.organisation).purpose == "listing_review"


def test_restating_a_disallowed_or_missing_purpose_is_a_400_on_the_field(api, watcher):
    entry = WatchEntry.objects.get()
    _agree_only(watcher.organisation, ["investigation"])
    client = api(watcher)

    dropped = client.patch(
        f"/api/v1/watchlist/{entry.public_id}", {"purpose": "seller_onboarding"}, format="json"
    )
    missing = client.patch(f"/api/v1/watchlist/{entry.public_id}", {}, format="json")

    assert dropped.status_code == 400 and "purpose" in dropped.json()["error"]["fields"]
    assert missing.status_code == 400 and "purpose" in missing.json()["error"]["fields"]
    assert WatchEntry.objects.get().purpose == "seller_onboarding"


def test_another_organisations_entry_cannot_be_restated(api, watcher):
    entry = WatchEntry.objects.get()
    other = persona(K.PLATFORM, R.ANALYST)

    foreign = api(other).patch(
        f"/api/v1/watchlist/{entry.public_id}", {"purpose": "listing_review"}, format="json"
    )
    missing = api(other).patch(
        f"/api/v1/watchlist/{uuid.uuid4()}", {"purpose": "listing_review"}, format="json"
    )

    assert foreign.status_code == 404 and missing.status_code == 404
    assert WatchEntry.objects.get().purpose == "seller_onboarding"


def test_watching_an_identifier_again_restates_an_entry_that_needs_a_purpose(watcher):
    WatchEntry.objects.update(purpose="")

    watchlist_add(
        purpose="listing_review",
        identifiers=[RawIdentifier(**PHONE)],
        ref="seller-9",
        actor=Actor(member=watcher),
    )

    assert list(WatchEntry.objects.values_list("purpose", flat=True)) == ["listing_review"]


def test_the_watchlist_page_shows_an_entry_needing_a_purpose_without_its_level(watcher):
    from django.test import Client

    from sharing.checks.services.words import level_label
    from tests.factories import web_login

    _report_seller()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    web_login(client, watcher)
    listed = client.get("/watchlist/").content.decode()
    WatchEntry.objects.filter(ref="seller-9").update(purpose="")

    needing = client.get("/watchlist/").content.decode()

    level = level_label(WatchEntry.objects.filter(ref="seller-9").first().last_level)
    shown, hidden = listed.split("<table", 1)[-1], needing.split("<table", 1)[-1]
    assert "needs a purpose: watch it again" not in shown and f">{level}<" in shown
    assert "needs a purpose: watch it again" in hidden and f">{level}<" not in hidden
