"""The delta feed replays the hub: a mirror built only by polling `added_after` equals the hub's listings.

A long scenario runs through the services the API calls (reports accepted, a merge, disputes upheld,
overturned and lapsed, an expiry, a split by retraction, a renewal); after every step a member polls
the feed from the last `X-TAXII-Date-Added-Last` it saw, in small pages, and its mirror must equal
the shareable state the hub would answer now, with every version served exactly once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.checks.services.checks import check_run
from sharing.due_process.services.disputes import dispute_decide_urgently, dispute_file, disputes_lapse
from sharing.feed.services.audiences import OUTCOMES_COLLECTION_ID
from sharing.feed.services.content import LISTINGS_COLLECTION_ID
from sharing.feedback.services.feedback import FeedbackGiven, feedback_record
from sharing.models import FeedObjectVersion, Report
from sharing.reports.services.reports import report_renew, report_retract, reports_expire
from sharing.subjects.services.tokens import RawIdentifier
from tests.factories import (
    client_for,
    feed_subscribed,
    member_make,
    persona,
    report_make_accepted,
    seller_identifiers,
)
from tests.sharing.feed_mirror import Mirror, hub_listings, hub_outcomes

pytestmark = pytest.mark.django_db
OBJECTS = "/taxii2/hub/collections/{}/objects/"
TAXII = "application/taxii+json;version=2.1"


class Poller:
    """A member polling the feed from where it left off, two objects a page, every version."""

    def __init__(self, member, collection: str = LISTINGS_COLLECTION_ID):
        self.client, self.mirror, self.cursor, self.bodies = (
            client_for(feed_subscribed(member)),
            Mirror(),
            None,
            [],
        )
        self.objects = OBJECTS.format(collection)

    def poll(self) -> None:
        params = {"limit": 2, "match[version]": "all"}
        if self.cursor:
            params["added_after"] = self.cursor
        while True:
            response = self.client.get(self.objects, params, HTTP_ACCEPT=TAXII)
            assert response.status_code == 200, response.content
            assert response["Content-Type"] == TAXII
            self.bodies.append(response.content)
            envelope = response.json()
            for obj in envelope.get("objects", []):
                self.mirror.take(obj)
            if envelope.get("objects"):
                self.cursor = response["X-TAXII-Date-Added-Last"]
            if not envelope.get("more"):
                return
            params["next"] = envelope["next"]


def _raw(identifiers):
    return [RawIdentifier(**i) for i in identifiers]


def test_a_mirror_built_from_the_delta_feed_equals_the_hubs_listings_after_every_step():
    """The listings mirror equals the listings; each rights owner's mirror of "Sellers you reported"
    equals what the outcomes selectors say for its organisation now."""
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    brands = [persona(K.RIGHTS_OWNER, R.REPORTER) for _ in range(3)]
    platform = persona(K.PLATFORM, R.ANALYST)
    poller = Poller(member_make(platform.organisation, R.ANALYST))
    owners = [Poller(brand, OUTCOMES_COLLECTION_ID) for brand in brands]
    seller_a, seller_b, seller_c, seller_d, seller_e = (seller_identifiers(n) for n in range(101, 106))
    steps = []

    def step(name: str) -> None:
        poller.poll()
        assert poller.mirror.listings() == hub_listings(), name
        for brand, owner in zip(brands, owners, strict=True):
            owner.poll()
            assert owner.mirror.outcomes() == hub_outcomes(brand), name
        steps.append(name)

    step("empty hub")
    report_make_accepted(brands[0], reviewer, seller_a)
    step("seller A reported")
    report_make_accepted(brands[1], reviewer, seller_b)
    report_make_accepted(brands[1], reviewer, seller_a)  # a second independent organisation: A is listed
    step("seller B reported, A by a second organisation")
    listed_before_merge = len(poller.mirror.listings())
    bridge = report_make_accepted(brands[2], reviewer, [seller_a[0], seller_b[1]])
    step("a report naming A's phone and B's email merges A and B")
    assert len(poller.mirror.listings()) == listed_before_merge - 1
    assert len(poller.mirror.revoked) == 1  # the subject merged away

    for seller in (seller_c, seller_d):
        report_make_accepted(brands[0], reviewer, seller)
    filer = Actor(member=platform)
    upheld = dispute_file(identifiers=_raw(seller_c), grounds="A licence.", evidence=[], actor=filer)
    overturned = dispute_file(identifiers=_raw(seller_d), grounds="A licence.", evidence=[], actor=filer)
    step("C and D reported and disputed")
    assert sum(dict(state)["disputed"] for _, state in poller.mirror.listings()) == 2
    decider = Actor(member=member_make(reviewer.organisation, R.REVIEWER))
    dispute_decide_urgently(dispute=upheld, upheld=True, reason="Licence forged.", actor=decider)
    dispute_decide_urgently(dispute=overturned, upheld=False, reason="Licence valid.", actor=decider)
    step("C's dispute upheld, D's overturned")
    assert sum(dict(state)["disputed"] for _, state in poller.mirror.listings()) == 0

    lapsing = report_make_accepted(brands[1], reviewer, seller_e)
    dispute_file(identifiers=_raw(seller_e), grounds="Never sold these.", evidence=[], actor=filer)
    step("E reported and disputed")
    disputes_lapse(today=timezone.localdate() + timedelta(days=60))
    lapsing.refresh_from_db()
    assert lapsing.status == "suspended"
    step("E's reporter never answered: the report is suspended")

    renewed = Report.objects.filter(reporter_organisation=brands[0].organisation, status="accepted").first()
    report_renew(report=renewed, actor=Actor(member=brands[0]))
    step("a report renewed: its listing's expiry moves")

    expiring = report_make_accepted(brands[2], reviewer, seller_identifiers(106))
    Report.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    reports_expire()
    step("a report expired")

    report_retract(report=bridge, actor=Actor(member=brands[2]))
    step("the bridging report retracted: A and B split again")
    report_make_accepted(brands[2], reviewer, seller_identifiers(106))
    step("the expired seller reported again: listed under a new object id")

    checked = check_run(purpose="seller_onboarding", identifiers=_raw(seller_c), actor=filer)
    feedback_record(actor=filer, given=FeedbackGiven("acted", "blocked"), check_id=checked.check_id)
    step("a member acted on C: one is fewer than the suppression threshold, so its object shows no number")
    assert all(dict(dict(state)["members_acted"])["suppressed"] for _, state in poller.mirror.listings())

    assert len(steps) == 13
    assert all(owner.mirror.outcomes() for owner in owners)  # every owner's mirror holds outcomes
    assert any(owner.mirror.revoked for owner in owners)  # and withdrawals reached them
    served = poller.mirror.seen_versions
    stored = list(
        FeedObjectVersion.objects.filter(collection=LISTINGS_COLLECTION_ID)
        .order_by("sequence")
        .values_list("stix_id", "content")
    )
    assert len(served) == len(set(served)) == len(stored)  # every version exactly once
    assert [stix_id for stix_id, _ in served] == [stix_id for stix_id, _ in stored]  # in the order added


def test_polling_by_added_after_alone_neither_skips_nor_repeats_versions_added_in_one_instant(monkeypatch):
    """Versions published in one transaction share no date_added: the clock ticks a microsecond each."""
    reviewer, brand = persona(K.OPERATOR, R.REVIEWER), persona(K.RIGHTS_OWNER, R.REPORTER)
    frozen = timezone.now()
    monkeypatch.setattr("sharing.feed.services.publish.timezone.now", lambda: frozen)
    for n in range(3):
        report_make_accepted(brand, reviewer, seller_identifiers(200 + n))
    every = list(FeedObjectVersion.objects.order_by("sequence").values_list("date_added", flat=True))
    assert every == sorted(set(every))  # in every collection, one instant each
    added = list(
        FeedObjectVersion.objects.filter(collection=LISTINGS_COLLECTION_ID)
        .order_by("sequence")
        .values_list("date_added", flat=True)
    )
    assert len(added) >= 3 + 4  # three listings and the fixed objects

    poller = Poller(member_make(persona(K.PLATFORM, R.ANALYST).organisation, R.ANALYST))
    poller.poll()
    poller.poll()  # nothing new: nothing again
    assert len(poller.mirror.seen_versions) == len(added)
