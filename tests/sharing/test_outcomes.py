"""What rights owners get back: the outcome of each subject their accepted reports name, and their
enforcement statistics (API, pages, CSV), with small-count suppression tested at the threshold and
nothing of another reporter or member leaking."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import Report
from sharing.outcomes.statistics import enforcement_statistics, period_starts, statistics_csv
from tests.factories import (
    client_for,
    dispute_make,
    persona,
    report_make,
    report_make_accepted,
    seller_identifiers,
    web_login,
)

pytestmark = pytest.mark.django_db

STORE = {"type": "store_url", "value": "https://shop777001.taobao.com/"}


@pytest.fixture
def owner():
    return persona(K.RIGHTS_OWNER, R.REPORTER, name="Brand Alpha Ltd")


@pytest.fixture
def reviewer():
    return persona(K.OPERATOR, R.REVIEWER)


def _checked_by(n: int, identifiers: list[dict]) -> list:
    """n distinct platforms each check the seller once through the API; returns their analysts."""
    analysts = [persona(K.PLATFORM, R.ANALYST, name=f"Platform Number {i}") for i in range(n)]
    for analyst in analysts:
        response = client_for(analyst).post(
            "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["level"] != "none"
    return analysts


def _outcomes(member) -> list[dict]:
    response = client_for(member).get("/api/v1/outcomes")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_subject_of_an_accepted_report_shows_its_shareable_state(owner, reviewer):
    report = report_make_accepted(owner, reviewer, seller_identifiers(1))

    [outcome] = _outcomes(owner)

    assert outcome["state"]["level"] == "reported"
    assert outcome["state"]["independent_reporters"] == 1
    assert outcome["state"]["identifier_types"] == ["email", "phone"]
    assert outcome["state"]["risk"] > 0
    assert outcome["your_accepted_reports"] == 1
    assert outcome["expires_at"] == report.expires_at.isoformat().replace("+00:00", "Z")
    assert outcome["new_accounts"] == {"count": 0, "identifier_types": []}
    assert outcome["disputes"] == []


def test_pending_rejected_and_other_organisations_reports_are_not_listed(owner, reviewer):
    report_make(owner, seller_identifiers(2))  # pending
    other = persona(K.RIGHTS_OWNER, R.REPORTER)
    report_make_accepted(other, reviewer, seller_identifiers(3))

    assert _outcomes(owner) == []


@pytest.mark.parametrize("checkers,shown", [(2, None), (3, 3)])
def test_members_that_checked_are_suppressed_below_the_threshold(owner, reviewer, checkers, shown):
    identifiers = seller_identifiers(4)
    report_make_accepted(owner, reviewer, identifiers)
    _checked_by(checkers, identifiers)

    [outcome] = _outcomes(owner)

    assert outcome["checked_by_organisations"] == {
        "value": shown,
        "suppressed": shown is None,
        "fewer_than": 3,
    }


def test_the_threshold_is_a_setting(owner, reviewer):
    identifiers = seller_identifiers(5)
    report_make_accepted(owner, reviewer, identifiers)
    _checked_by(2, identifiers)

    with override_settings(HUB_OUTCOME_SUPPRESSION_THRESHOLD=2):
        [outcome] = _outcomes(owner)

    assert outcome["checked_by_organisations"]["value"] == 2


def test_one_member_checking_many_times_counts_once(owner, reviewer):
    identifiers = seller_identifiers(6)
    report_make_accepted(owner, reviewer, identifiers)
    [analyst] = _checked_by(1, identifiers)
    for _ in range(3):
        client_for(analyst).post(
            "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
        )

    [outcome] = _outcomes(owner)

    assert outcome["checked_by_organisations"]["suppressed"] is True


@pytest.mark.parametrize("acting,shown", [(2, None), (3, 3)])
def test_members_that_acted_are_counted_from_their_feedback_and_suppressed_below_the_threshold(
    owner, reviewer, acting, shown
):
    """Each platform checks the seller and says it blocked it (sharing/feedback/); one more calls it a
    false positive, which is not an action. Below the threshold the count is never handed out."""
    identifiers = seller_identifiers(7)
    report_make_accepted(owner, reviewer, identifiers)
    for analyst in _checked_by(acting + 1, identifiers)[: acting + 1]:
        check_id = (
            client_for(analyst)
            .post(
                "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
            )
            .json()
        )
        outcome = "acted" if analyst.organisation.name != f"Platform Number {acting}" else "false_positive"
        body = {"check_id": check_id["check_id"], "outcome": outcome}
        if outcome == "acted":
            body["action"] = "blocked"
        given = client_for(analyst).post("/api/v1/feedback", body, format="json")
        assert given.status_code == 201, given.content

    [outcome] = _outcomes(owner)

    assert outcome["acted_on_by_organisations"] == {
        "value": shown,
        "suppressed": shown is None,
        "fewer_than": 3,
    }
    assert "Platform Number" not in str(outcome)


def test_new_accounts_linked_since_show_types_and_count_and_nothing_of_the_other_reporter(owner, reviewer):
    identifiers = seller_identifiers(8)
    report_make_accepted(owner, reviewer, identifiers)
    other = persona(K.RIGHTS_OWNER, R.REPORTER, name="Brand Beta Holdings")
    report_make_accepted(other, reviewer, [identifiers[0], STORE])
    _checked_by(3, identifiers)

    response = client_for(owner).get("/api/v1/outcomes")

    [outcome] = response.json()["results"]
    assert outcome["new_accounts"] == {"count": 1, "identifier_types": ["store_url"]}
    assert outcome["state"]["independent_reporters"] == 2
    body = response.content.decode()
    for secret in ("Brand Beta", "Platform Number", "shop777001", "138 0013", "seller8@"):
        assert secret not in body
    assert str(other.organisation.public_id) not in body


def test_accounts_named_before_the_owner_reported_are_not_new(owner, reviewer):
    identifiers = seller_identifiers(9)
    other = persona(K.RIGHTS_OWNER, R.REPORTER)
    report_make_accepted(other, reviewer, [identifiers[0], STORE])
    report_make_accepted(owner, reviewer, identifiers)

    [outcome] = _outcomes(owner)

    assert outcome["new_accounts"]["count"] == 0


def test_disputes_of_the_owners_reports_show_their_state_never_the_filer(owner):
    dispute, _ = dispute_make(reporter=owner, n=910)

    response = client_for(owner).get("/api/v1/outcomes")

    [outcome] = response.json()["results"]
    assert [d["state"] for d in outcome["disputes"]] == ["open"]
    assert outcome["state"]["disputed"] is True
    assert dispute.filed_by.name not in response.content.decode()


def test_reading_outcomes_is_audited_with_subject_ids_only(owner, reviewer):
    report_make_accepted(owner, reviewer, seller_identifiers(11))

    [outcome] = _outcomes(owner)

    event = AuditEvent.objects.filter(action=AuditTag.OUTCOMES_LISTED, actor_member=owner).get()
    assert event.details == {"count": 1, "ids": [outcome["subject_id"]]}


def test_members_without_report_read_get_403(reviewer):
    analyst = persona(K.COURT, R.ANALYST)
    assert client_for(analyst).get("/api/v1/outcomes").status_code == 403
    assert client_for(analyst).get("/api/v1/statistics").status_code == 403


# --- statistics --------------------------------------------------------------------------------


def _statistics(member, **params) -> dict:
    response = client_for(member).get("/api/v1/statistics", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("checkers,hits", [(2, None), (3, 3)])
def test_statistics_count_this_months_reports_hits_and_reappearances(owner, reviewer, checkers, hits):
    identifiers = seller_identifiers(12)
    report_make_accepted(owner, reviewer, identifiers)
    report_make(owner, seller_identifiers(13))  # filed, not accepted
    report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, [identifiers[1], STORE])
    _checked_by(checkers, identifiers)

    figures = _statistics(owner)

    assert figures["period"] == "month"
    assert len(figures["periods"]) == 6
    now = figures["periods"][-1]
    assert (now["reports_filed"], now["reports_accepted"], now["reappearances"]) == (2, 1, 1)
    assert now["median_acceptance_hours"] is not None
    assert now["hits"]["value"] == hits and now["hits"]["suppressed"] is (hits is None)
    assert now["member_actions"] == {"value": None, "suppressed": True, "fewer_than": 3}  # no feedback given
    assert AuditEvent.objects.filter(action=AuditTag.STATISTICS_READ, actor_member=owner).count() == 1


def _acted_on(analyst, identifiers: list[dict]) -> None:
    check = (
        client_for(analyst)
        .post("/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json")
        .json()
    )
    body = {"check_id": check["check_id"], "outcome": "acted", "action": "delisted"}
    assert client_for(analyst).post("/api/v1/feedback", body, format="json").status_code == 201


@pytest.mark.parametrize("members,shown", [(1, None), (3, 3)])
def test_member_actions_are_shown_by_the_organisations_behind_them_not_by_their_number(
    owner, reviewer, members, shown
):
    sellers = [seller_identifiers(40 + n) for n in range(3)]
    for seller in sellers:
        report_make_accepted(owner, reviewer, seller)
    analysts = [persona(K.PLATFORM, R.ANALYST, name=f"Acting Platform {i}") for i in range(members)]
    for n, seller in enumerate(sellers):  # three actions: one member on all three, or one member each
        _acted_on(analysts[n % members], seller)

    now = _statistics(owner)["periods"][-1]

    assert now["member_actions"] == {"value": shown, "suppressed": shown is None, "fewer_than": 3}


def test_median_acceptance_time_is_the_median(owner, reviewer):
    now = timezone.now()
    for hours in (1, 2, 30):
        report = report_make_accepted(owner, reviewer, seller_identifiers(20 + hours))
        Report.objects.filter(pk=report.pk).update(
            submitted_at=now - timedelta(hours=hours), reviewed_at=now - timedelta(minutes=1)
        )

    figures = enforcement_statistics(actor=Actor(member=owner), now=now + timedelta(minutes=1))

    assert figures.periods[-1].median_acceptance_hours == pytest.approx(2.0, abs=0.05)


@pytest.mark.parametrize(
    "params,field",
    [({"period": "decade"}, "period"), ({"periods": "0"}, "periods"), ({"periods": "25"}, "periods")],
)
def test_bad_statistics_parameters_are_400_naming_the_field(owner, params, field):
    response = client_for(owner).get("/api/v1/statistics", params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_periods_are_calendar_months_weeks_and_years():
    now = timezone.make_aware(timezone.datetime(2026, 3, 15, 12))

    months = period_starts("month", 3, now=now)
    weeks = period_starts("week", 2, now=now)
    years = period_starts("year", 2, now=now)

    assert [d.date().isoformat() for d in months] == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert [d.date().isoformat() for d in weeks] == ["2026-03-02", "2026-03-09", "2026-03-16"]
    assert [d.date().isoformat() for d in years] == ["2025-01-01", "2026-01-01", "2027-01-01"]


def test_the_csv_has_a_line_per_period_with_suppressed_counts_as_fewer_than(owner, reviewer):
    identifiers = seller_identifiers(30)
    report_make_accepted(owner, reviewer, identifiers)
    _checked_by(2, identifiers)
    client = Client()
    web_login(client, owner)

    response = client.get("/statistics/statistics.csv", {"period": "month", "periods": "2"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["period_start", "period_end", "reports_filed"]
    assert len(rows) == 3
    assert rows[-1][2:4] == ["1", "1"] and rows[-1][5] == "<3" and rows[-1][6] == "<3"
    assert AuditEvent.objects.filter(action=AuditTag.STATISTICS_DOWNLOADED, actor_member=owner).count() == 1


def test_the_csv_is_written_by_the_formula_safe_writer_every_cell_quoted(owner):
    figures = enforcement_statistics(actor=Actor(member=owner), count=1)
    text = statistics_csv(figures)

    assert text.startswith('"period_start"')  # every cell quoted: hubcore.csv_safe wrote it


def test_the_csv_with_bad_parameters_is_400(owner):
    client = Client()
    web_login(client, owner)

    response = client.get("/statistics/statistics.csv", {"periods": "x"})

    assert response.status_code == 400
    assert b"periods" in response.content


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language,title,fewer",
    [("en", "What became of my reports", "fewer than 3"), ("zh-hans", "我的举报结果如何", "少于 3")],
)
def test_the_outcomes_page_in_both_languages(owner, reviewer, language, title, fewer):
    identifiers = seller_identifiers(40)
    report_make_accepted(owner, reviewer, identifiers)
    _checked_by(2, identifiers)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    web_login(client, owner)

    response = client.get("/outcomes/")

    body = response.content.decode()
    assert response.status_code == 200
    assert title in body and fewer in body
    assert "Platform Number" not in body and "seller40@" not in body
    assert 'href="/outcomes/"' in body  # in the header's navigation
    assert AuditEvent.objects.filter(action=AuditTag.OUTCOMES_LISTED, actor_member=owner).exists()


@pytest.mark.parametrize(
    "language,title,month",
    [("en", "Enforcement statistics", timezone.now().strftime("%B")), ("zh-hans", "执法统计", "月")],
)
def test_the_statistics_page_has_a_chart_and_its_table_in_both_languages(
    owner, reviewer, language, title, month
):
    report_make_accepted(owner, reviewer, seller_identifiers(41))
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    web_login(client, owner)

    response = client.get("/statistics/")

    body = response.content.decode()
    assert response.status_code == 200
    assert title in body and month in body
    assert body.count("<svg") == 6 and 'id="statistics-table"' in body
    assert "<script" not in body.split("<main", 1)[-1].split("</main>", 1)[0]


def test_the_statistics_page_refuses_bad_parameters_with_their_messages(owner):
    client = Client()
    web_login(client, owner)

    response = client.get("/statistics/", {"period": "decade"})

    assert response.status_code == 400
    assert 'data-field="period"' in response.content.decode()
