"""Tell watching members when a report links their seller to a subject or a subject's level changes.

Wrap the change in `watch_changes(report)`: it notes each of the report's tokens'
subject level before, and after the change writes webhook outbox rows (in the same
transaction) through watchlist_notify.
"""
from __future__ import annotations

from contextlib import contextmanager

from django.utils import timezone

from sharing.models import IdentifierToken, Report, ReportIdentifier
from sharing.services.watchlists import watchlist_notify


def subject_level(subject_id: int | None) -> str:
    """The level a check would show for this subject (none without a subject)."""
    if subject_id is None:
        return "none"
    from sharing.services.checks import DEFAULT_LEVEL_POLICY, _result_for

    tokens = list(IdentifierToken.objects.filter(subject_id=subject_id))
    return _result_for(tokens, policy=DEFAULT_LEVEL_POLICY, now=timezone.now()).level


def _subjects_of(report: Report) -> dict[int, int | None]:
    token_ids = ReportIdentifier.objects.filter(report=report).values_list("token_id", flat=True)
    return dict(IdentifierToken.objects.filter(pk__in=token_ids).values_list("pk", "subject_id"))


@contextmanager
def watch_changes(report: Report, *, linking: bool = False):
    """Around a change to a report: notify watchers of new links (when `linking`) and level changes."""
    before = {token: (subject, subject_level(subject)) for token, subject in _subjects_of(report).items()}
    yield
    after = _subjects_of(report)
    levels = {subject: subject_level(subject) for subject in set(after.values())}
    if linking:
        linked = {subject for subject in after.values() if subject is not None}
        if linked:
            watchlist_notify(subject_ids=linked, event="subject.linked", details={"report_verification": report.verification_level})
    changed: dict[int, tuple[str, str]] = {}
    for token, (_, old_level) in before.items():
        subject = after.get(token)
        if subject is not None and levels[subject] != old_level:
            changed.setdefault(subject, (old_level, levels[subject]))
    for subject, (old, new) in changed.items():
        watchlist_notify(subject_ids={subject}, event="subject.level_changed", details={"from": old, "to": new})
