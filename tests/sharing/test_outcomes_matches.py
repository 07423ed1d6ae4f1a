"""Where "members that checked" and "hits" come from (issue 16): the recorded matches
(SubjectMatch) of every path that shows a member a hit — a single check, a bulk screening, a
watchlist — each written once, so a rerun of a bulk chunk never counts twice."""

from __future__ import annotations

import io
import json

import pytest

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import BulkChunk, BulkChunkStatus, BulkJob, BulkJobStatus, SubjectMatch
from sharing.outcomes.statistics import enforcement_statistics
from tests.factories import client_for, persona, report_make_accepted, seller_identifiers

pytestmark = pytest.mark.django_db

SELLER = seller_identifiers(41)


@pytest.fixture(autouse=True)
def _counts_shown_from_one(settings):
    """The counts themselves are under test here; their suppression is tested in test_outcomes.py."""
    settings.HUB_OUTCOME_SUPPRESSION_THRESHOLD = 1


@pytest.fixture
def owner():
    return persona(K.RIGHTS_OWNER, R.REPORTER)


@pytest.fixture
def reported(owner, reviewer):
    report_make_accepted(owner, reviewer, SELLER)
    return SELLER


def _outcome(owner) -> dict:
    response = client_for(owner).get("/api/v1/outcomes")
    assert response.status_code == 200, response.content
    [outcome] = response.json()["results"]
    return outcome


def _screened(member) -> BulkJob:
    from sharing.bulk.services.bulk import bulk_chunk_process, bulk_submit

    upload = io.BytesIO((json.dumps({"ref": "shop-41", "identifiers": SELLER}) + "\n").encode())
    job = bulk_submit(purpose="seller_onboarding", upload=upload, actor=Actor(member=member))
    for chunk in BulkChunk.objects.filter(job=job):
        bulk_chunk_process(chunk_id=chunk.pk)
    return job


def _rerun(job: BulkJob) -> None:
    """As the sweeper does when a chunk's lease ran out while its first run was still at work."""
    from sharing.bulk.services.bulk import bulk_chunk_process

    BulkJob.objects.filter(pk=job.pk).update(status=BulkJobStatus.RUNNING, done=0)
    for chunk in BulkChunk.objects.filter(job=job):
        BulkChunk.objects.filter(pk=chunk.pk).update(status=BulkChunkStatus.PENDING)
        bulk_chunk_process(chunk_id=chunk.pk)


def test_a_bulk_screening_hit_counts_as_a_member_that_checked(owner, reported):
    platform = persona(K.PLATFORM, R.ANALYST)

    _screened(platform)

    assert _outcome(owner)["checked_by_organisations"]["value"] == 1


def test_a_bulk_screening_hit_counts_once_even_when_its_chunk_is_rerun(owner, reported):
    platform = persona(K.PLATFORM, R.ANALYST)
    job = _screened(platform)

    _rerun(job)

    assert SubjectMatch.objects.filter(reference=str(job.public_id)).count() == 1
    figures = enforcement_statistics(actor=Actor(member=owner))
    assert sum(period.hits.value or 0 for period in figures.periods) == 1
    assert _outcome(owner)["checked_by_organisations"]["value"] == 1


def test_a_watchlist_hit_counts_as_a_member_that_checked(owner, reviewer):
    from sharing.subjects.inputs import raw_identifiers
    from sharing.watchlists.services.watchlists import watchlist_add

    courier = persona(K.LOGISTICS, R.ANALYST)
    watchlist_add(
        purpose="seller_onboarding",
        identifiers=raw_identifiers(SELLER),
        ref="sender-41",
        actor=Actor(member=courier),
    )

    report_make_accepted(owner, reviewer, SELLER)

    assert _outcome(owner)["checked_by_organisations"]["value"] == 1
    figures = enforcement_statistics(actor=Actor(member=owner))
    assert sum(period.hits.value or 0 for period in figures.periods) == 1


def test_single_checks_bulk_and_watch_hits_add_up_by_organisation(owner, reviewer):
    from sharing.subjects.inputs import raw_identifiers
    from sharing.watchlists.services.watchlists import watchlist_add

    courier = persona(K.LOGISTICS, R.ANALYST)
    watchlist_add(
        purpose="seller_onboarding",
        identifiers=raw_identifiers(SELLER),
        ref="sender-41",
        actor=Actor(member=courier),
    )
    report_make_accepted(owner, reviewer, SELLER)
    checker, screener = persona(K.PLATFORM, R.ANALYST), persona(K.PLATFORM, R.ANALYST)

    client_for(checker).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": SELLER}, format="json"
    )
    client_for(checker).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": SELLER}, format="json"
    )
    _screened(screener)

    assert _outcome(owner)["checked_by_organisations"]["value"] == 3
    figures = enforcement_statistics(actor=Actor(member=owner))
    assert sum(period.hits.value or 0 for period in figures.periods) == 4  # two checks, a job, a watch
