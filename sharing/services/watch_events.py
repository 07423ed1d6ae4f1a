"""Tell watching members when a report links their seller to a subject or a subject's level changes.

Wrap the change in `watch_changes(report)`: it notes the level of every token of the
subjects around the report before, and after the change writes webhook outbox rows
(in the same transaction) through watchlist_notify, grouped by what changed.
"""
from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager

from django.utils import timezone

from sharing.models import IdentifierToken, Report, ReportIdentifier
from sharing.services.watchlists import watchlist_notify


def subject_level(subject_id: int | None) -> str:
    """The level a check would show for this subject (none without a subject)."""
    if subject_id is None:
        return "none"
    from sharing.services.checks import DEFAULT_LEVEL_POLICY, check_result_for

    tokens = list(IdentifierToken.objects.filter(subject_id=subject_id))
    return check_result_for(tokens, policy=DEFAULT_LEVEL_POLICY, now=timezone.now()).level


def _tokens_around(report: Report) -> dict[int, int | None]:
    """The report's tokens and every token of the subjects they belong to: token → subject."""
    token_ids = set(ReportIdentifier.objects.filter(report=report).values_list("token_id", flat=True))
    subjects = set(IdentifierToken.objects.filter(pk__in=token_ids, subject__isnull=False).values_list("subject_id", flat=True))
    around = IdentifierToken.objects.filter(pk__in=token_ids) | IdentifierToken.objects.filter(subject_id__in=subjects)
    return dict(around.values_list("pk", "subject_id"))


def _levels(subjects) -> dict[int | None, str]:
    return {subject: subject_level(subject) for subject in set(subjects)}


@contextmanager
def watch_changes(report: Report, *, linking: bool = False):
    """Around a change to a report: notify watchers of new links (when `linking`) and level changes."""
    before = _tokens_around(report)
    old_levels = _levels(before.values())
    yield
    after = dict(IdentifierToken.objects.filter(pk__in=set(before) | set(_tokens_around(report))).values_list("pk", "subject_id"))
    new_levels = _levels(after.values())
    if linking:
        linked = {subject for subject in after.values() if subject is not None}
        if linked:
            watchlist_notify(subject_ids=linked, event="subject.linked", details={"report_verification": report.verification_level})
    changes: dict[tuple[str, str, int | None], set[int]] = defaultdict(set)
    for token, subject in after.items():
        old, new = old_levels[before.get(token)], new_levels[subject]
        if old != new:
            changes[(old, new, subject)].add(token)
    for (old, new, subject), tokens in changes.items():
        target = {"subject_ids": {subject}} if subject is not None else {"token_ids": tokens}
        watchlist_notify(event="subject.level_changed", details={"from": old, "to": new}, **target)
