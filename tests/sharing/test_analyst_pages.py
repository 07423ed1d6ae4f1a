"""The analyst's pages: check a seller, the watchlist, disputes filed; admins' webhooks and policy.

Each page calls the API's service, so it is gated, audited and refused like the API; these tests
prove the page's own part: what it shows, its per-field refusals, who may use it, and that the
raw identifiers reach neither a URL nor an audit row."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.actors import Actor
from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import Dispute, MemberPolicy, WatchEntry, WebhookEndpoint
from sharing.templatetags.webhook_words import event_type_label
from sharing.watchlists.services.watchlists import EVENT_TYPE_LABELS, EVENT_TYPES
from sharing.watchlists.services.webhooks import webhook_events_write, webhook_register
from tests.factories import persona, report_make_accepted, web_login

pytestmark = pytest.mark.django_db

PHONE = "+86 138 0013 8000"
EMAIL = "seller0@example.com"
PAGES = [
    "/check/",
    "/watchlist/",
    "/disputes/filed/",
    "/feedback/",
    "/organisation/webhooks/",
    "/organisation/policy/",
    # Routes naming an object: refused before any lookup, so the id need not exist.
    "/watchlist/00000000-0000-4000-8000-000000000000/remove",
    "/disputes/filed/00000000-0000-4000-8000-000000000000/",
    "/organisation/webhooks/00000000-0000-4000-8000-000000000000/",
    "/organisation/webhooks/00000000-0000-4000-8000-000000000000/remove",
]


@pytest.fixture
def listed(brand_reporter, other_brand_reporter, reviewer):
    """A seller two independent rights owners reported, both reports accepted."""
    report_make_accepted(brand_reporter, reviewer)
    report_make_accepted(other_brand_reporter, reviewer)


def _as(member, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    web_login(client, member)
    return client


def _rows(*identifiers: tuple[str, str]) -> dict:
    """A check or watch form's rows, with the purpose those forms require."""
    posted = {"purpose": "seller_onboarding"}
    for n, (kind, value) in enumerate(identifiers):
        posted[f"identifier-{n}-type"] = kind
        posted[f"identifier-{n}-value"] = value
    return posted


def _raw_in_audit(*values: str) -> bool:
    rows = [str(row) for row in AuditEvent.objects.values_list("details", "object_id", "object_type")]
    return any(value in row for row in rows for value in values)


def _probes(member, public_id) -> int:
    """Denied rows of this member naming this id: a probe for another organisation's object."""
    rows = AuditEvent.objects.filter(actor_member=member, outcome="denied").values_list("details", flat=True)
    return sum(str(public_id) in str(details) for details in rows)


# Check a seller


def test_the_check_page_answers_listed_with_the_explanation_types_reporters_and_action(
    platform_analyst, listed
):
    client = _as(platform_analyst)

    page = client.post("/check/", _rows(("phone", PHONE)))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="check-level">Listed<' in html
    assert (
        "Matched 1 subject directly, by a shared phone number; 2 live reports from 2 independent organisations."
        in html
    )
    assert 'id="check-types">Phone number<' in html
    assert 'id="check-reporters">2<' in html
    assert "Review before acting" in html and "Block at 3 live reports within 24 months" in html
    assert AuditEvent.objects.filter(action=AuditTag.CHECK_RUN, actor_member=platform_analyst).count() == 1
    assert not _raw_in_audit(PHONE, "8613800138000", "13800138000")


def test_the_check_page_speaks_chinese_the_explanation_too(platform_analyst, listed):
    client = _as(platform_analyst, "zh-hans")

    page = client.post("/check/", _rows(("phone", PHONE)))

    html = page.content.decode()
    assert page.status_code == 200
    with translation.override("zh-hans"):
        assert translation.gettext("Listed") in html
    assert "通过共同的电话号码直接匹配到 1 个主体" in html
    assert "Matched" not in html


def test_a_seller_nobody_reported_is_not_listed(platform_analyst):
    page = _as(platform_analyst).post("/check/", _rows(("email", "nobody@example.com")))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="check-level">Not listed<' in html
    assert "No live report matches these identifiers." in html
    assert 'id="dispute-form"' not in html


@pytest.mark.parametrize(
    "posted, field",
    [
        ({}, 'data-field="identifiers"'),
        (_rows(("phone", "not a phone")), 'data-field="identifier-0-value"'),
        (_rows(("email", "a@example.com"), ("phone", "12")), 'data-field="identifier-1-value"'),
        (_rows(("no_such_type", "x")), 'data-field="identifier-0-type"'),
    ],
)
def test_bad_input_on_the_check_page_is_a_400_on_its_row(platform_analyst, posted, field):
    page = _as(platform_analyst).post("/check/", posted)

    assert page.status_code == 400
    assert field in page.content.decode()


def test_the_check_never_puts_an_identifier_in_a_url(platform_analyst, listed):
    page = _as(platform_analyst).post("/check/", _rows(("phone", PHONE)), follow=True)

    assert page.redirect_chain == []
    assert "?" not in page.request["PATH_INFO"] and PHONE not in page.request.get("QUERY_STRING", "")


# Watchlist


def test_watching_a_seller_from_the_check_answer_lists_it_then_removing_stops_it(platform_analyst, listed):
    client = _as(platform_analyst)

    added = client.post("/watchlist/", {**_rows(("phone", PHONE)), "ref": "merchant-7"})
    page = client.get("/watchlist/")

    entry = WatchEntry.objects.get(organisation=platform_analyst.organisation)
    assert added.status_code == 302 and added["Location"] == "/watchlist/"
    assert "merchant-7" in page.content.decode() and "Phone number" in page.content.decode()
    assert PHONE not in page.content.decode()
    removed = client.post(f"/watchlist/{entry.public_id}/remove")
    assert removed.status_code == 302
    assert not WatchEntry.objects.filter(pk=entry.pk).exists()
    assert not _raw_in_audit(PHONE)


def test_watching_without_a_reference_is_a_400_keeping_the_rows(platform_analyst):
    page = _as(platform_analyst).post("/watchlist/", _rows(("phone", PHONE)))

    assert page.status_code == 400
    assert 'data-field="ref"' in page.content.decode()
    assert not WatchEntry.objects.exists()


def test_another_organisations_watch_entry_is_not_there_and_the_probe_is_audited(platform_analyst):
    other = persona(K.PLATFORM, R.ANALYST)
    _as(other).post("/watchlist/", {**_rows(("phone", PHONE)), "ref": "theirs"})
    entry = WatchEntry.objects.get(organisation=other.organisation)

    page = _as(platform_analyst).post(f"/watchlist/{entry.public_id}/remove")

    assert page.status_code == 404
    assert WatchEntry.objects.filter(pk=entry.pk).exists()
    assert _probes(platform_analyst, entry.public_id) == 1


# Disputes


def test_filing_a_dispute_for_a_listed_seller_shows_it_with_its_clock(platform_analyst, listed):
    client = _as(platform_analyst)

    filed = client.post(
        "/disputes/filed/", {**_rows(("phone", PHONE)), "grounds": "The seller is a licensee."}
    )

    dispute = Dispute.objects.get(filed_by=platform_analyst.organisation)
    assert filed.status_code == 302 and filed["Location"] == f"/disputes/filed/{dispute.public_id}/"
    page = client.get(filed["Location"])
    assert page.status_code == 200 and "Open: waiting for the reporter" in page.content.decode()
    listing = client.get("/disputes/filed/").content.decode()
    assert str(dispute.public_id)[:8] in listing and "working days left" in listing
    assert not _raw_in_audit(PHONE)


def test_a_dispute_for_a_seller_nobody_listed_is_a_404_on_the_form(platform_analyst):
    page = _as(platform_analyst).post("/disputes/filed/", {**_rows(("phone", PHONE)), "grounds": "licensee"})

    assert page.status_code == 404
    assert "nothing to dispute" in page.content.decode()
    assert not Dispute.objects.exists()


def test_a_dispute_without_grounds_is_a_400(platform_analyst, listed):
    page = _as(platform_analyst).post("/disputes/filed/", _rows(("phone", PHONE)))

    assert page.status_code == 400 and 'data-field="grounds"' in page.content.decode()


def test_another_organisations_dispute_is_not_there_and_the_probe_is_audited(platform_analyst, listed):
    other = persona(K.PLATFORM, R.ANALYST)
    _as(other).post("/disputes/filed/", {**_rows(("phone", PHONE)), "grounds": "licensee"})
    dispute = Dispute.objects.get(filed_by=other.organisation)

    page = _as(platform_analyst).get(f"/disputes/filed/{dispute.public_id}/")

    assert page.status_code == 404
    assert _probes(platform_analyst, dispute.public_id) == 1


# Webhooks and policy (admins)


def test_an_admin_registers_a_webhook_sees_its_secret_once_and_its_deliveries():
    admin = persona(K.PLATFORM, R.ADMIN)
    client = _as(admin)

    registered = client.post("/organisation/webhooks/", {"url": "http://127.0.0.1:9/hook"})

    endpoint = WebhookEndpoint.objects.get(organisation=admin.organisation)
    assert registered.status_code == 201 and 'id="webhook-secret"' in registered.content.decode()
    assert "no-store" in registered.get("Cache-Control", "") or "max-age=0" in registered.get(
        "Cache-Control", ""
    )
    listing = client.get("/organisation/webhooks/").content.decode()
    assert 'id="webhook-secret"' not in listing and str(endpoint.public_id) in listing
    assert client.get(f"/organisation/webhooks/{endpoint.public_id}/").status_code == 200
    assert client.post(f"/organisation/webhooks/{endpoint.public_id}/remove").status_code == 302
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).active


EVENT_WORDS = {
    "en": ("A watched identifier was linked to a reported seller", "A watched seller's level changed"),
    "zh-hans": ("一个关注的标识符已关联到被举报的卖家", "一个关注的卖家的等级已变化"),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_webhook_event_types_are_shown_in_words_with_their_code_beside(language):
    admin = persona(K.PLATFORM, R.ADMIN)
    endpoint, _ = webhook_register(url="http://127.0.0.1:9/hook", actor=Actor(member=admin))
    webhook_events_write(
        event_type="subject.level_changed",
        now=timezone.now(),
        events=[(endpoint, {"watch_ref": "s-1", "from": "none", "to": "reported", "linked": True})],
    )
    linked_words, changed_words = EVENT_WORDS[language]
    client = _as(admin, language)

    listing = client.get("/organisation/webhooks/").content.decode()
    deliveries = client.get(f"/organisation/webhooks/{endpoint.public_id}/").content.decode()

    for code, words in (("subject.linked", linked_words), ("subject.level_changed", changed_words)):
        assert f'<li data-code="{code}">{escape(words)}: <code>{code}</code></li>' in listing
    cell = re.search(r'<td class="col-event-type" data-code="([^"]+)">([^<]+)<code', deliveries)
    assert (
        cell and cell.group(1) == "subject.level_changed" and cell.group(2).strip() == escape(changed_words)
    )
    assert '<code class="event-type-code">subject.level_changed</code>' in deliveries


def test_every_webhook_event_type_has_words_and_an_unknown_code_is_shown_as_it_is():
    assert EVENT_TYPES == set(EVENT_TYPE_LABELS) and all(str(label) for label in EVENT_TYPE_LABELS.values())
    assert event_type_label("subject.retired") == "subject.retired"


def test_a_webhook_with_a_bad_url_is_a_400():
    page = _as(persona(K.PLATFORM, R.ADMIN)).post("/organisation/webhooks/", {"url": "ftp://x"})

    assert page.status_code == 400 and 'data-field="url"' in page.content.decode()


def test_another_organisations_webhook_is_not_there_and_the_probe_is_audited():
    theirs = persona(K.PLATFORM, R.ADMIN)
    endpoint, _ = webhook_register(url="http://127.0.0.1:9/hook", actor=Actor(member=theirs))
    admin = persona(K.PLATFORM, R.ADMIN)

    page = _as(admin).get(f"/organisation/webhooks/{endpoint.public_id}/")
    removed = _as(admin).post(f"/organisation/webhooks/{endpoint.public_id}/remove")

    assert page.status_code == 404 and removed.status_code == 404
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active
    assert _probes(admin, endpoint.public_id) == 2


def test_an_admin_sets_the_policy_and_the_check_recommends_under_it(listed):
    admin = persona(K.PLATFORM, R.ADMIN)
    client = _as(admin)

    saved = client.post(
        "/organisation/policy/",
        {"strikes": "2", "window_months": "12", "one_strike_categories": ["counterfeit"]},
    )

    assert saved.status_code == 302
    policy = MemberPolicy.objects.get(organisation=admin.organisation)
    assert (policy.strikes, policy.window_months, policy.one_strike_categories) == (2, 12, ["counterfeit"])
    answer = client.post("/check/", _rows(("phone", PHONE))).content.decode()
    assert 'id="check-action"><strong>Block<' in answer


@pytest.mark.parametrize(
    "posted, field",
    [
        ({"strikes": "0", "window_months": "12"}, "strikes"),
        ({"strikes": "x", "window_months": "12"}, "strikes"),
        ({"strikes": "2", "window_months": "999"}, "window_months"),
        (
            {"strikes": "2", "window_months": "12", "one_strike_categories": ["nonsense"]},
            "one_strike_categories.0",
        ),
        (
            {"strikes": "2", "window_months": "12", "one_strike_verification_levels": ["x"]},
            "one_strike_verification_levels.0",
        ),
    ],
)
def test_bad_policy_input_is_a_400_naming_the_field(posted, field):
    page = _as(persona(K.PLATFORM, R.ADMIN)).post("/organisation/policy/", posted)

    assert page.status_code == 400 and f'data-field="{field}"' in page.content.decode()
    assert not MemberPolicy.objects.exists()


# Who may use the pages


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("method", ["get", "head", "options", "post", "put", "delete"])
def test_a_role_without_the_capability_gets_403_on_every_method(path, method):
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)

    page = getattr(_as(reporter), method)(path)

    assert page.status_code == 403
    assert AuditEvent.objects.filter(actor_member=reporter, action=AuditTag.ACCESS_DENIED).exists()


@pytest.mark.parametrize("path", ["/organisation/webhooks/", "/organisation/policy/"])
def test_an_analyst_is_not_an_admin(platform_analyst, path):
    assert _as(platform_analyst).get(path).status_code == 403


def test_the_home_page_offers_the_analyst_their_pages_in_words(platform_analyst):
    html = _as(platform_analyst).get("/").content.decode()

    assert 'id="portal-check-page"' in html and 'id="portal-watchlist-page"' in html
    assert 'id="portal-disputes-filed"' in html and 'id="portal-webhooks-page"' not in html


def test_over_the_check_quota_the_page_is_a_429_saying_when_to_retry(platform_analyst, settings):
    settings.HUB_QUOTA_CHECKS_PER_MINUTE = 1
    client = _as(platform_analyst)
    client.post("/check/", _rows(("phone", PHONE)))

    refused = client.post("/check/", _rows(("phone", "+86 138 0013 8001")))

    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 61
    assert (
        "Quota exceeded" in refused.content.decode() and 'id="check-result"' not in refused.content.decode()
    )
    assert AuditEvent.objects.filter(
        actor_member=platform_analyst, action=AuditTag.QUOTA_EXCEEDED.value, outcome="denied"
    ).exists()


def test_the_answer_with_the_typed_identifiers_is_never_cached(platform_analyst, listed):
    page = _as(platform_analyst).post("/check/", _rows(("phone", PHONE)))

    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


# Composite identifiers: a person, a registered address (the same rows as the report form)

PERSON = {"full_name": "Zhang Wei", "date_of_birth": "1985-03-02"}
ADDRESS = {"country": "DE", "postcode": "10115", "street_address": "Hauptstraße 5, Berlin"}


def _composite_row(n: int, kind: str, fields: dict) -> dict:
    return {f"identifier-{n}-type": kind} | {
        f"identifier-{n}-{kind}-{name}": text for name, text in fields.items()
    }


@pytest.fixture
def listed_person(brand_reporter, other_brand_reporter, reviewer):
    """A seller two rights owners reported by its phone, the person behind it and its registered address."""
    identifiers = [
        {"type": "phone", "value": PHONE},
        {"type": "person", "value": PERSON},
        {"type": "registered_address", "value": ADDRESS},
    ]
    report_make_accepted(brand_reporter, reviewer, identifiers)
    report_make_accepted(other_brand_reporter, reviewer, identifiers)


def test_a_check_by_a_person_and_an_address_matches_and_passes_them_on(platform_analyst, listed_person):
    posted = (
        _composite_row(0, "person", PERSON)
        | _composite_row(1, "registered_address", ADDRESS)
        | {"rows": "4", "purpose": "seller_onboarding"}
    )

    page = _as(platform_analyst).post("/check/", posted)

    html = page.content.decode()
    assert page.status_code == 200, html[-3000:]
    assert 'id="check-level">Not listed<' not in html
    assert "Person (full name + date of birth)" in html
    # The watch and dispute forms of the answer carry the fields on, as the rows posted them.
    assert '<input type="hidden" name="identifier-0-person-date_of_birth" value="1985-03-02">' in html
    assert '<input type="hidden" name="identifier-1-registered_address-postcode" value="10115">' in html
    assert not _raw_in_audit("Zhang", "zhang wei", "Hauptstra", "10115")


def test_watching_by_a_person_and_disputing_with_an_address_reach_the_services(
    platform_analyst, listed_person
):
    client = _as(platform_analyst)
    row = _composite_row(0, "person", PERSON) | {"rows": "1"}

    watched = client.post("/watchlist/", row | {"ref": "merchant-9", "purpose": "listing_review"})
    disputed = client.post(
        "/disputes/filed/",
        _rows(("phone", PHONE))
        | _composite_row(1, "registered_address", ADDRESS)
        | {"grounds": "A licensee."},
    )

    assert watched.status_code == 302, watched.content.decode()[-3000:]
    entry = WatchEntry.objects.get(organisation=platform_analyst.organisation)
    assert entry.identifier_type == "person"
    assert disputed.status_code == 302, disputed.content.decode()[-3000:]
    assert Dispute.objects.filter(filed_by=platform_analyst.organisation).exists()


@pytest.mark.parametrize("path", ["/check/", "/watchlist/", "/disputes/filed/"])
def test_a_bad_date_of_birth_is_a_400_on_its_field_on_every_analyst_page(platform_analyst, path):
    row = _composite_row(1, "person", PERSON | {"date_of_birth": "03/02/1985"}) | _rows(("email", EMAIL))

    page = _as(platform_analyst).post(path, row | {"ref": "merchant-9", "grounds": "A licensee."})

    html = page.content.decode()
    assert page.status_code == 400, html[-3000:]
    assert (
        'data-field="identifier-1-person-date_of_birth">Date of birth: Give the date of birth as YYYY-MM-DD.'
        in html
    )
    assert 'value="03/02/1985"' in html and 'data-field="identifier-1-person-full_name"' not in html
