"""The "Feedback on hits" page and GET /api/v1/feedback name the seller each feedback is about as
the member may see it (issue 16): the subject's public id, the identifier types its screening
matched, the level now, when it was first matched; never a raw value."""

from __future__ import annotations

import pytest
from django.test import Client

from sharing.models import HitFeedback, SubjectMatch
from tests.factories import client_for, report_make_accepted, seller_identifiers, web_login

SELLER = seller_identifiers(61)


@pytest.fixture
def given(db, platform_analyst, brand_reporter, other_brand_reporter, reviewer):
    """The platform checked the seller by its phone only and said it acted."""
    report_make_accepted(brand_reporter, reviewer, SELLER)
    report_make_accepted(other_brand_reporter, reviewer, SELLER)
    client = client_for(platform_analyst)
    check = client.post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": [SELLER[0]]}, format="json"
    ).json()
    body = {"check_id": check["check_id"], "outcome": "acted", "action": "blocked"}
    assert client.post("/api/v1/feedback", body, format="json").status_code == 201
    return HitFeedback.objects.get()


@pytest.mark.django_db
def test_the_api_list_names_the_seller_without_a_raw_value(platform_analyst, given):
    match = SubjectMatch.objects.get()

    response = client_for(platform_analyst).get("/api/v1/feedback")

    [row] = response.json()["results"]
    assert row["subject_id"] == str(given.subject.public_id)
    assert row["matched_types"] == ["phone"]
    assert row["level"] == "listed"
    assert row["matched_at"] == match.matched_at.isoformat().replace("+00:00", "Z")
    assert SELLER[0]["value"] not in response.content.decode()
    assert SELLER[1]["value"] not in response.content.decode()


@pytest.mark.django_db
def test_the_page_rows_name_the_seller(platform_analyst, given):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    web_login(client, platform_analyst)

    html = client.get("/feedback/").content.decode()

    assert str(given.subject.public_id)[:8] in html
    assert 'class="feedback-types">Phone number<' in html
    assert 'class="feedback-level"><span class="badge badge-danger">Listed<' in html
    assert "+86" not in html and "seller61@" not in html


@pytest.mark.django_db
def test_the_page_speaks_chinese(platform_analyst, given):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    web_login(client, platform_analyst)

    html = client.get("/feedback/").content.decode()

    assert "当前等级" in html and "首次匹配" in html
