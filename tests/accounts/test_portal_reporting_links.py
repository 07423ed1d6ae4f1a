"""The reporting pages ("What became of my reports", its statistics, "Standing") are linked only
for an organisation that reports (issue 16): a platform analyst whose organisation never filed a
report does not see them in the navigation; one whose organisation did, and every member who may
file reports, does. The pages themselves still open by capability (report:read)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.portal import links_for
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from tests.factories import member_make, persona, report_make, seller_identifiers, web_login

REPORTING_PAGES = {"outcomes-page", "statistics-page", "standing"}


def _linked(member) -> set[str]:
    return {link.url_name for link in links_for(member)}


@pytest.mark.django_db
def test_a_platform_analyst_whose_organisation_never_reported_sees_no_reporting_page():
    analyst = persona(K.PLATFORM, R.ANALYST)
    client = Client()
    web_login(client, analyst)

    nav = client.get(reverse("home")).content.decode()

    assert not _linked(analyst) & REPORTING_PAGES
    assert f'href="{reverse("outcomes-page")}"' not in nav and f'href="{reverse("standing")}"' not in nav
    assert "report-list" in _linked(analyst)  # reading the organisation's reports is another matter
    assert client.get(reverse("outcomes-page")).status_code == 200  # still open by capability


@pytest.mark.django_db
def test_once_its_organisation_reports_the_analyst_sees_them():
    analyst = persona(K.PLATFORM, R.ANALYST)
    report_make(member_make(analyst.organisation, R.REPORTER), seller_identifiers(81))

    assert REPORTING_PAGES <= _linked(analyst)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind,role", [(K.RIGHTS_OWNER, R.REPORTER), (K.RIGHTS_OWNER, R.ADMIN), (K.PLATFORM, R.REPORTER)]
)
def test_a_member_who_may_file_reports_sees_them_from_the_start(kind, role):
    assert REPORTING_PAGES <= _linked(persona(kind, role))
