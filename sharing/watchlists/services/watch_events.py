"""Tell watching members when a report links their seller to a subject or their seller's level changes.

Wrap a change in `watch_changes(reports)`: it notes the tokens around the reports (their
own and every token of the subjects they belong to) before and after the change, then
hands them to watchlist_changes_notify, which writes at most one event per watched seller
(organisation + ref) and endpoint, in the same transaction, with `from` the level that
seller's receiver last heard. A change touching several reports (a dispute decision)
is wrapped once, so it is one change to receivers too.

Every change wrapped here is also published to the TAXII feed (sharing/feed/services/publish.py),
for every subject around it before and after, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

from django.utils import timezone

from sharing.checks.services.checks import DEFAULT_LEVEL_POLICY, check_result_for
from sharing.feed.services.publish import feed_publish
from sharing.models import IdentifierToken, Report, ReportIdentifier
from sharing.watchlists.services.watchlists import watchlist_changes_notify


def subject_level(subject_id: int | None) -> str:
    """The level a check would show for this subject (none without a subject)."""
    if subject_id is None:
        return "none"
    tokens = list(IdentifierToken.objects.filter(subject_id=subject_id))
    return check_result_for(tokens, policy=DEFAULT_LEVEL_POLICY, now=timezone.now()).level


def _tokens_around(reports: list[Report]) -> dict[int, int | None]:
    """The reports' tokens and every token of the subjects they belong to: token → subject."""
    token_ids = set(ReportIdentifier.objects.filter(report__in=reports).values_list("token_id", flat=True))
    subjects = set(
        IdentifierToken.objects.filter(pk__in=token_ids, subject__isnull=False).values_list(
            "subject_id", flat=True
        )
    )
    around = IdentifierToken.objects.filter(pk__in=token_ids) | IdentifierToken.objects.filter(
        subject_id__in=subjects
    )
    return dict(around.values_list("pk", "subject_id"))


@contextmanager
def watch_changes(reports: Report | Iterable[Report], *, linking: bool = False):
    """Around one change to these reports: one event per watched seller whose level changed (or, when `linking`, that was linked)."""
    reports = [reports] if isinstance(reports, Report) else list(reports)
    before = _tokens_around(reports)
    yield
    after = dict(
        IdentifierToken.objects.filter(pk__in=set(before) | set(_tokens_around(reports))).values_list(
            "pk", "subject_id"
        )
    )
    newly_linked = {
        token for token, subject in after.items() if subject is not None and subject != before.get(token)
    }
    watchlist_changes_notify(
        token_ids=set(after), subject_level=subject_level, linked_token_ids=newly_linked if linking else set()
    )
    feed_publish(set(before.values()) | set(after.values()))
