"""Subject matches written from ids read on a lagging replica: a subject merged or deleted on the
primary since is never a foreign-key error; the match follows its tokens (sharing/checks/services/matches.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from sharing.checks.services.matches import subject_matches_record, subject_matches_record_many
from sharing.models import IdentifierToken, MatchSource, Subject, SubjectMatch
from tests.factories import report_make_accepted, seller_identifiers

pytestmark = pytest.mark.django_db


def _subject_and_tokens(report) -> tuple[int, list[int]]:
    tokens = list(IdentifierToken.objects.filter(report_links__report=report, subject__isnull=False))
    return tokens[0].subject_id, sorted(t.pk for t in tokens)


def _record(organisation_id: int, subject_id: int, tokens: list[int], reference: str = "c1") -> None:
    subject_matches_record(
        organisation_id=organisation_id,
        matched={subject_id: tokens},
        source=MatchSource.CHECK,
        reference=reference,
        purpose="seller_onboarding",
    )


def test_a_subject_merged_since_the_read_gets_the_match_on_its_survivor(
    platform_analyst, brand_reporter, reviewer
):
    gone, gone_tokens = _subject_and_tokens(
        report_make_accepted(brand_reporter, reviewer, seller_identifiers(80))
    )
    survivor, _ = _subject_and_tokens(report_make_accepted(brand_reporter, reviewer, seller_identifiers(81)))
    # The merge on the primary, after the check read `gone` on the replica.
    IdentifierToken.objects.filter(subject_id=gone).update(subject_id=survivor)
    Subject.objects.filter(pk=gone).delete()

    _record(platform_analyst.organisation_id, gone, gone_tokens)
    connection.check_constraints()  # the foreign keys, checked now rather than at commit

    match = SubjectMatch.objects.get(organisation=platform_analyst.organisation)
    assert (match.subject_id, match.tokens) == (survivor, gone_tokens)


def test_a_subject_deleted_since_the_read_gets_no_match(platform_analyst, brand_reporter, reviewer):
    gone, tokens = _subject_and_tokens(report_make_accepted(brand_reporter, reviewer, seller_identifiers(82)))
    kept, kept_tokens = _subject_and_tokens(
        report_make_accepted(brand_reporter, reviewer, seller_identifiers(83))
    )
    IdentifierToken.objects.filter(subject_id=gone).update(subject=None)
    Subject.objects.filter(pk=gone).delete()

    subject_matches_record_many(
        organisation_id=platform_analyst.organisation_id,
        matched={"c1": {gone: tokens}, "c2": {kept: kept_tokens}},
        source=MatchSource.CHECK,
        purpose="seller_onboarding",
    )
    connection.check_constraints()

    assert list(SubjectMatch.objects.values_list("reference", "subject_id")) == [("c2", kept)]
