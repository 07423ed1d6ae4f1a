"""subjects_relink_all moves data linked before the strength rule to it, idempotently."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from sharing.models import HitFeedback, IdentifierToken, Subject, SubjectMatch
from tests.factories import report_make_accepted

pytestmark = pytest.mark.django_db

NAME = {"type": "name", "value": "张伟"}
SELLER_A = [{"type": "phone", "value": "+86 138 0013 8001"}, NAME]
SELLER_B = [{"type": "phone", "value": "+86 139 0013 9002"}, NAME]


def _relink(*args) -> str:
    out = StringIO()
    call_command("subjects_relink_all", *args, stdout=out)
    return out.getvalue()


def _merge_through_the_name():
    """The state the old rule left: both sellers and their shared name in one subject."""
    survivor = Subject.objects.order_by("pk").first()
    IdentifierToken.objects.update(subject=survivor)
    Subject.objects.exclude(pk=survivor.pk).delete()


def _merged_with_a_members_words_on_b(brand_reporter, other_brand_reporter, reviewer, platform_analyst):
    """Both sellers merged through the name, a member's match and feedback on seller B's phone; B's phone."""
    report_make_accepted(brand_reporter, reviewer, SELLER_A)
    report_make_accepted(other_brand_reporter, reviewer, SELLER_B)
    _merge_through_the_name()
    phone_b = IdentifierToken.objects.filter(identifier_type="phone").order_by("pk").last()
    SubjectMatch.objects.create(
        organisation=platform_analyst.organisation,
        subject=phone_b.subject,
        source="check",
        reference="b",
        tokens=[phone_b.pk],
    )
    HitFeedback.objects.create(
        organisation=platform_analyst.organisation,
        subject=phone_b.subject,
        member=platform_analyst,
        outcome="acted",
        action="blocked",
    )
    return phone_b


def test_relink_all_splits_subjects_merged_through_a_weak_identifier(
    brand_reporter, other_brand_reporter, reviewer
):
    report_make_accepted(brand_reporter, reviewer, SELLER_A)
    report_make_accepted(other_brand_reporter, reviewer, SELLER_B)
    _merge_through_the_name()

    dry = _relink("--dry-run")
    assert Subject.objects.count() == 1 and "Dry run" in dry

    summary = _relink("--batch-size", "1")

    assert Subject.objects.count() == 2
    assert not IdentifierToken.objects.filter(identifier_type="name", subject__isnull=False).exists()
    assert IdentifierToken.objects.filter(identifier_type="phone").values("subject").distinct().count() == 2
    assert "1 tokens moved, 1 unlinked, 1 subjects created" in summary
    assert summary.replace("Relinked", "Dry run: would relink") == dry


def test_a_second_relink_all_changes_nothing(brand_reporter, other_brand_reporter, reviewer):
    report_make_accepted(brand_reporter, reviewer, SELLER_A)
    report_make_accepted(other_brand_reporter, reviewer, SELLER_B)
    _merge_through_the_name()
    _relink()
    before = list(IdentifierToken.objects.order_by("pk").values_list("pk", "subject_id"))

    again = _relink()

    assert "0 tokens moved, 0 unlinked, 0 subjects created, 0 deleted" in again
    assert list(IdentifierToken.objects.order_by("pk").values_list("pk", "subject_id")) == before


def test_relink_all_refuses_a_batch_size_below_one():
    with pytest.raises(Exception, match="at least 1"):
        _relink("--batch-size", "0")


def test_relink_all_sends_members_matches_and_feedback_to_the_part_holding_what_they_matched(
    brand_reporter, other_brand_reporter, reviewer, platform_analyst
):
    phone_b = _merged_with_a_members_words_on_b(
        brand_reporter, other_brand_reporter, reviewer, platform_analyst
    )

    _relink()

    phone_b.refresh_from_db()
    assert SubjectMatch.objects.get().subject_id == phone_b.subject_id
    assert HitFeedback.objects.get().subject_id == phone_b.subject_id


def test_a_relink_all_interrupted_after_moving_tokens_is_completed_by_the_next_run(
    brand_reporter, other_brand_reporter, reviewer, platform_analyst, monkeypatch
):
    """The follow-through is derived from what is stored: a crash between moving the tokens and moving
    the matches and feedback leaves nothing the next run cannot repair, though it moves no token."""
    from sharing.subjects.services import subjects_relink_all as relink_all

    phone_b = _merged_with_a_members_words_on_b(
        brand_reporter, other_brand_reporter, reviewer, platform_analyst
    )

    def die(*args, **kwargs):  # the process dies where the follow-through would start
        raise RuntimeError("killed")

    monkeypatch.setattr(relink_all, "_followers_reconcile", die)
    with pytest.raises(RuntimeError):
        _relink()
    phone_b.refresh_from_db()
    assert SubjectMatch.objects.get().subject_id != phone_b.subject_id  # the crash left it behind
    monkeypatch.undo()

    again = _relink()

    phone_b.refresh_from_db()
    assert "0 tokens moved" in again
    assert SubjectMatch.objects.get().subject_id == phone_b.subject_id
    assert HitFeedback.objects.get().subject_id == phone_b.subject_id
    assert sorted(SubjectMatch.objects.get().tokens) == [phone_b.pk]
