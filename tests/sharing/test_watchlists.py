"""Watchlists: members watch their own sellers' tokens; notify writes outbox rows in the caller's transaction."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, DataClass, Outcome
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.crypto.tokens import token_evaluate
from sharing.models import IdentifierToken, Subject, WatchEntry, WebhookOutbox
from sharing.subjects.services.tokens import RawIdentifier
from sharing.watchlists.services.watchlists import watch_entries_rekey, watchlist_add, watchlist_notify
from sharing.watchlists.services.webhooks import webhook_register, webhook_remove
from tests.factories import member_make, persona, report_make_accepted, seller_identifiers

pytestmark = pytest.mark.django_db

PHONE = {"type": "phone", "value": "+86 138 0013 8001"}
EMAIL = {"type": "email", "value": "watched.seller@example.com"}
# Spellings of the raw values a careless implementation might keep.
NEEDLES = ["138 0013 8001", "13800138001", "watched.seller", "Watched"]


def _row_text(model, **filters) -> str:
    return json.dumps(list(model.objects.filter(**filters).values()), default=str)


def _watch(member, identifiers, ref="seller-42") -> list[WatchEntry]:
    return watchlist_add(
        purpose="seller_onboarding",
        identifiers=[RawIdentifier(**i) for i in identifiers],
        ref=ref,
        actor=Actor(member=member),
    )


def _subject_of(identifier: dict) -> Subject:
    """The subject an accepted report made of this seller's identifiers."""
    reporter, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    report = report_make_accepted(
        reporter, reviewer, [identifier, {"type": "email", "value": f"{uuid.uuid4().hex[:8]}@example.com"}]
    )
    return report.identifiers.first().token.subject


def _endpoint(member, url="http://127.0.0.1:9/hook"):
    admin = member_make(member.organisation, R.ADMIN)
    return webhook_register(url=url, actor=Actor(member=admin))[0]


def test_a_platform_analyst_watches_a_seller_in_raw_and_token_form(api, platform_analyst):
    emailed = token_evaluate(identifier_type="email", canonical="token.only.seller@example.com")
    body = {
        "identifiers": [PHONE, {"type": "email", "token": emailed.value, "key_version": emailed.key_version}],
        "ref": "seller-42",
        "purpose": "listing_review",
    }

    response = api(platform_analyst).post("/api/v1/watchlist", body, format="json")

    assert response.status_code == 201, response.content
    entries = response.json()["entries"]
    assert sorted(e["type"] for e in entries) == ["email", "phone"] and {e["ref"] for e in entries} == {
        "seller-42"
    }
    assert all(set(e) == {"id", "ref", "type", "purpose", "needs_purpose", "created_at"} for e in entries)
    assert not any(e["needs_purpose"] for e in entries)
    rows = WatchEntry.objects.filter(organisation=platform_analyst.organisation)
    assert rows.count() == 2 and all(row.token.startswith("1:") for row in rows)
    stored = _row_text(WatchEntry)
    assert emailed.value not in stored and not any(needle in stored for needle in NEEDLES)
    event = AuditEvent.objects.get(action="sharing:watch:added")
    assert event.data_class == DataClass.SHAREABLE and event.actor_member == platform_analyst
    assert event.details["created"] == 2 and "seller-42" not in json.dumps(event.details)


def test_raw_values_appear_in_no_table_and_no_audit_row(api, courier_analyst):
    api(courier_analyst).post(
        "/api/v1/watchlist",
        {"purpose": "seller_onboarding", "identifiers": [PHONE, EMAIL], "ref": "r"},
        format="json",
    )

    everything = _row_text(WatchEntry) + _row_text(AuditEvent) + _row_text(IdentifierToken)

    assert WatchEntry.objects.count() == 2
    assert not any(needle in everything for needle in NEEDLES)


def test_watching_the_same_identifier_twice_keeps_one_entry(api, platform_analyst):
    first = api(platform_analyst).post(
        "/api/v1/watchlist",
        {"purpose": "seller_onboarding", "identifiers": [PHONE], "ref": "a"},
        format="json",
    )

    again = api(platform_analyst).post(
        "/api/v1/watchlist",
        {
            "purpose": "seller_onboarding",
            "identifiers": [{"type": "phone", "value": "+8613800138001"}],
            "ref": "b",
        },
        format="json",
    )

    assert again.status_code == 201 and again.json()["entries"] == first.json()["entries"]
    assert WatchEntry.objects.count() == 1


def test_the_list_shows_only_your_own_entries_and_no_tokens(
    api, platform_analyst, django_assert_max_num_queries
):
    _watch(platform_analyst, [PHONE, EMAIL])
    other = persona(K.PLATFORM, R.ANALYST)
    _watch(other, [{"type": "phone", "value": "+86 138 0013 8002"}], ref="theirs")
    client = api(platform_analyst)

    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/watchlist")

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 2 and {r["ref"] for r in results} == {"seller-42"}
    assert all(set(r) == {"id", "ref", "type", "purpose", "needs_purpose", "created_at"} for r in results)
    assert not any(r["needs_purpose"] for r in results)
    event = AuditEvent.objects.filter(action="sharing:watch:listed").get()
    assert event.details["count"] == 2


def test_removing_your_entry_deletes_it_and_another_organisations_is_not_found(api, platform_analyst):
    mine = _watch(platform_analyst, [PHONE])[0]
    theirs = _watch(persona(K.LOGISTICS, R.ANALYST), [PHONE])[0]
    client = api(platform_analyst)

    removed = client.delete(f"/api/v1/watchlist/{mine.public_id}")
    foreign = client.delete(f"/api/v1/watchlist/{theirs.public_id}")
    missing = client.delete(f"/api/v1/watchlist/{uuid.uuid4()}")

    assert removed.status_code == 204 and not WatchEntry.objects.filter(pk=mine.pk).exists()
    assert foreign.status_code == 404 and missing.status_code == 404
    assert WatchEntry.objects.filter(pk=theirs.pk).exists()
    assert AuditEvent.objects.filter(
        action="sharing:watch:removed", outcome=Outcome.ALLOWED, object_id=str(mine.public_id)
    ).exists()
    assert AuditEvent.objects.filter(action="sharing:watch:removed", outcome=Outcome.DENIED).count() == 2


def test_rights_owners_and_viewers_cannot_watch(api, brand_reporter):
    viewer = persona(K.PLATFORM, R.VIEWER)

    responses = [
        api(m).post(
            "/api/v1/watchlist",
            {"purpose": "seller_onboarding", "identifiers": [PHONE], "ref": "x"},
            format="json",
        )
        for m in (brand_reporter, viewer)
    ]

    assert [r.status_code for r in responses] == [403, 403]
    assert not WatchEntry.objects.exists()


def test_notify_writes_rows_only_for_endpoints_of_organisations_watching_the_subject(
    platform_analyst, courier_analyst
):
    subject = _subject_of(PHONE)
    _watch(platform_analyst, [PHONE], ref="platform-seller-7")
    kept = _endpoint(platform_analyst)
    webhook_remove(
        public_id=_endpoint(platform_analyst).public_id,
        actor=Actor(member=member_make(platform_analyst.organisation, R.ADMIN)),
    )
    _watch(courier_analyst, [PHONE], ref="no-endpoint")  # watches, but has nowhere to send
    elsewhere = persona(K.PLATFORM, R.ANALYST)
    _watch(elsewhere, [seller_identifiers(77)[0]])  # another seller entirely
    _endpoint(elsewhere)

    written = watchlist_notify(
        subject_ids={subject.pk}, event="subject.level_changed", details={"from": "reported", "to": "listed"}
    )

    row = WebhookOutbox.objects.get()
    payload = json.loads(row.body)
    assert written == 1 and row.endpoint == kept and row.status == "pending"
    assert (
        payload["id"] == str(row.event_id)
        and payload["type"] == "subject.level_changed"
        and payload["created_at"]
    )
    assert payload["data"] == {"watch_ref": "platform-seller-7", "from": "reported", "to": "listed"}
    assert not any(needle in row.body for needle in NEEDLES)


def test_notify_writes_in_the_callers_transaction_and_enqueues_only_after_commit(
    platform_analyst, django_capture_on_commit_callbacks
):
    subject = _subject_of(PHONE)
    _watch(platform_analyst, [PHONE])
    _endpoint(platform_analyst)

    with django_capture_on_commit_callbacks() as rolled_back:
        with pytest.raises(RuntimeError), transaction.atomic():
            watchlist_notify(subject_ids={subject.pk}, event="subject.linked", details={})
            raise RuntimeError("the caller's change failed")
    nothing = WebhookOutbox.objects.count()
    with django_capture_on_commit_callbacks() as committed:
        with transaction.atomic():
            written = watchlist_notify(subject_ids={subject.pk}, event="subject.linked", details={})

    assert nothing == 0 and rolled_back == []
    assert written == 1 and WebhookOutbox.objects.count() == 1 and len(committed) == 1


def test_notify_skips_suspended_organisations_and_refuses_unknown_events(platform_analyst):
    subject = _subject_of(PHONE)
    _watch(platform_analyst, [PHONE])
    _endpoint(platform_analyst)
    platform_analyst.organisation.suspended = True
    platform_analyst.organisation.save()

    written = watchlist_notify(subject_ids={subject.pk}, event="subject.linked", details={})

    assert written == 0 and not WebhookOutbox.objects.exists()
    with pytest.raises(ValueError):
        watchlist_notify(subject_ids={subject.pk}, event="subject.renamed", details={})
    with pytest.raises(ValueError):
        watchlist_notify(subject_ids={subject.pk}, event="subject.linked", details={"watch_ref": "spoofed"})


def test_entries_match_across_a_storage_key_rotation_and_can_be_rekeyed(platform_analyst, settings):
    subject = _subject_of(PHONE)
    entry = _watch(platform_analyst, [PHONE])[0]
    _endpoint(platform_analyst)
    settings.HUB_TOKEN_STORAGE_KEYS += ",2:" + "5a" * 64
    call_command("rotate_token_storage")

    during = watchlist_notify(subject_ids={subject.pk}, event="subject.linked", details={})
    left_over = watch_entries_rekey()  # the rotation command re-keyed the watch entries already
    settings.HUB_TOKEN_STORAGE_KEYS = "2:" + "5a" * 64
    after = watchlist_notify(subject_ids={subject.pk}, event="subject.linked", details={})

    entry.refresh_from_db()
    assert during == after == 1 and left_over == 0 and entry.token.startswith("2:")


def test_notify_writes_one_row_per_watched_seller_not_one_per_identifier(platform_analyst):
    reporter, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    subject = report_make_accepted(reporter, reviewer, [PHONE, EMAIL]).identifiers.first().token.subject
    _watch(platform_analyst, [PHONE, EMAIL], ref="seller-42")
    _endpoint(platform_analyst)

    written = watchlist_notify(subject_ids={subject.pk}, event="subject.linked", details={})

    assert written == 1 and json.loads(WebhookOutbox.objects.get().body)["data"] == {"watch_ref": "seller-42"}
