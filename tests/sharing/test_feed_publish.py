"""One publishing path: a version only when a subject's shareable state changed, a revocation when it
stops being listed, never a version after a revocation, and every publication audited."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.actors import Actor
from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.feed.services.content import EXTENSION_ID, LISTINGS_COLLECTION_ID
from sharing.feed.services.publish import feed_publish
from sharing.models import FeedObjectVersion, IdentifierToken, Report
from sharing.reports.services.reports import report_retract
from tests.factories import persona, report_make, report_make_accepted, seller_identifiers

pytestmark = pytest.mark.django_db


def _indicators():
    return FeedObjectVersion.objects.filter(
        collection=LISTINGS_COLLECTION_ID, stix_type="indicator"
    ).order_by("sequence")


def _subject_of(report: Report) -> int:
    return IdentifierToken.objects.filter(report_links__report=report, subject__isnull=False).values_list(
        "subject_id", flat=True
    )[0]


def test_a_pending_report_publishes_nothing_and_an_accepted_one_publishes_its_listing_once():
    brand, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    report_make(brand, seller_identifiers(401))
    assert not FeedObjectVersion.objects.exists()

    report = report_make_accepted(brand, reviewer, seller_identifiers(402))
    published = _indicators().count()
    again = feed_publish([_subject_of(report)])

    assert (published, again, _indicators().count()) == (1, 0, 1)
    (indicator,) = _indicators()
    assert indicator.content["extensions"][EXTENSION_ID]["level"] == "reported"
    assert indicator.content["extensions"][EXTENSION_ID]["identifier_types"] == ["email", "phone"]


def test_a_second_organisation_makes_a_new_version_of_the_same_object():
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    for _ in range(2):
        report_make_accepted(persona(K.RIGHTS_OWNER, R.REPORTER), reviewer, seller_identifiers(403))

    first, second = _indicators()
    state = second.content["extensions"][EXTENSION_ID]
    assert first.stix_id == second.stix_id and first.content["created"] == second.content["created"]
    assert second.content["modified"] > first.content["modified"]
    assert (state["level"], state["reporting_organisations"]) == ("listed", 2)


def test_a_withdrawn_listing_is_revoked_and_a_new_listing_of_the_seller_is_a_new_object():
    brand, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    report = report_make_accepted(brand, reviewer, seller_identifiers(404))
    report_retract(report=report, actor=Actor(member=brand))
    report_make_accepted(brand, reviewer, seller_identifiers(404))

    listed, revoked, relisted = _indicators()
    assert revoked.revoked and revoked.content["revoked"] is True and revoked.stix_id == listed.stix_id
    assert relisted.stix_id != revoked.stix_id and not relisted.revoked
    assert (
        FeedObjectVersion.objects.filter(stix_id=revoked.stix_id, sequence__gt=revoked.sequence).count() == 0
    )


def test_publications_are_audited_with_counts_only():
    """How many subjects changed; never which, nor any state."""
    brand, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    report = report_make_accepted(brand, reviewer, seller_identifiers(405))
    report_retract(report=report, actor=Actor(member=brand))

    events = AuditEvent.objects.filter(action=AuditTag.FEED_PUBLISHED).order_by("seq")
    assert [(e.data_class, e.details) for e in events] == [
        ("shareable", {"subjects": 1}),
        ("shareable", {"subjects": 1}),
    ]


def test_relinking_every_subject_reconciles_the_feed_with_a_change_made_behind_its_back():
    report = report_make_accepted(
        persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER), seller_identifiers(406)
    )
    Report.objects.filter(pk=report.pk).update(disputed=True)  # not through a service: the feed missed it

    call_command("subjects_relink_all", stdout=StringIO())

    assert [v.content["extensions"][EXTENSION_ID]["disputed"] for v in _indicators()] == [False, True]
