"""Notices to an organisation (a dispute filed, a standing changed, an appeal decided), and their words.

On its own, below reports, disputes and reputation: each of them notifies, and reputation
and disputes would otherwise import each other for it.

A notification stores its kind and its data; its words are NOTIFICATION_WORDS[kind] filled from
the data when it is read, so each reader reads it in their own language (the page, the API and
any mail about it render it with `notification_title` / `notification_text`). The stored
`message` is the English rendering at the time, kept for the record and for rows whose kind or
data the catalogue no longer knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharing.models import Notification


@dataclass(frozen=True)
class NotificationWords:
    """What a kind of notification says: a title, and a sentence filled from the notification's data.

    The sentence's %(name)s placeholders are keys of the data (and of the reputation record in
    data["record"]); dates are shown as their day, a reason as it was typed."""

    title: Promise
    sentence: Promise


# Every kind `notify` is called with (tests/sharing/test_notification_words.py finds them in the code).
NOTIFICATION_WORDS: dict[str, NotificationWords] = {
    "dispute.filed": NotificationWords(
        _("A listing based on your reports is disputed"),
        _(
            "A listing based on your reports is disputed. Show by %(due)s that a complaint or suit was "
            "filed, or the reports will be suspended."
        ),
    ),
    "dispute.upheld": NotificationWords(
        _("A dispute was decided: the disputed reports stand"),
        _("The dispute was decided: the disputed reports stand. Reason: %(reason)s"),
    ),
    "dispute.overturned": NotificationWords(
        _("A dispute was decided: the disputed reports were overturned"),
        _("The dispute was decided: the disputed reports were overturned. Reason: %(reason)s"),
    ),
    "dispute.lapsed": NotificationWords(
        _("A dispute lapsed: the disputed reports are suspended"),
        _("No complaint or suit was shown in time: the disputed reports are suspended."),
    ),
    "rectification.requested": NotificationWords(
        _("A listed person asks for a correction"),
        _(
            "A person named by %(reports)s of your live reports says something in them is wrong (request "
            "%(request)s). Review the reports and correct, renew or retract them; the operators were told too."
        ),
    ),
    "appeal.granted": NotificationWords(
        _("Your appeal was granted"),
        _("Your appeal was granted: the report is accepted again. Reason: %(reason)s"),
    ),
    "appeal.refused": NotificationWords(
        _("Your appeal was refused"),
        _("Your appeal was refused: the report stays rejected. Reason: %(reason)s"),
    ),
    "reporting.warned": NotificationWords(
        _("Warning under the misuse rule"),
        _(
            "Warning: %(overturned)d of your %(accepted)d accepted reports in the last 90 days were "
            "overturned on dispute. If this still holds on %(until)s, reporting will be suspended "
            "(misuse rule)."
        ),
    ),
    "reporting.suspended": NotificationWords(
        _("Reporting suspended under the misuse rule"),
        _(
            "%(overturned)d of your %(accepted)d accepted reports in the last 90 days were overturned on "
            "dispute, after a warning: reporting is suspended until %(until)s (misuse rule)."
        ),
    ),
    "reporting.reinstated": NotificationWords(
        _("Reporting suspension lifted"),
        _("Your reporting suspension was lifted by an operator. Reason: %(reason)s"),
    ),
}

# Data values shown as dates (ISO dates or date-times as stored); the rest are shown as they are.
_DATE_KEYS = frozenset({"due", "until", "was_until"})


def notify(*, organisation_id: int, kind: str, data: dict) -> Notification:
    """Tell an organisation; `data` holds what the kind's sentence names (ids, dates, counts, a typed
    reason), never a raw identifier value: it is stored and answered by the API as it is.

    A kind without words, or data that does not fill its sentence, is the caller's bug: refused here,
    not found later by a reader."""
    words = NOTIFICATION_WORDS.get(kind)
    if words is None:
        raise ValueError(f"notification kind {kind!r} has no words in NOTIFICATION_WORDS")
    try:
        with translation.override("en"):
            message = _sentence(words, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"notification data for {kind!r} does not fill its sentence: {exc!r}") from None
    return Notification.objects.create(organisation_id=organisation_id, kind=kind, message=message, data=data)


def notification_title(notification: Notification) -> str:
    """The notification's title in the active language; an unknown kind is shown as its code."""
    words = NOTIFICATION_WORDS.get(notification.kind)
    return str(words.title) if words is not None else notification.kind


def notification_text(notification: Notification) -> str:
    """The notification's sentence in the active language, filled from its data; a kind the
    catalogue does not know, or a row stored before its data carried every value the sentence
    names, reads as its stored message."""
    words = NOTIFICATION_WORDS.get(notification.kind)
    if words is None:
        return notification.message
    try:
        return _sentence(words, notification.data)
    except (KeyError, TypeError, ValueError):
        return notification.message


def _sentence(words: NotificationWords, data: dict) -> str:
    return str(words.sentence) % _sentence_values(data)


def _sentence_values(data: dict) -> dict:
    record = data.get("record")
    values = {**(record if isinstance(record, dict) else {}), **data}
    for key in _DATE_KEYS & values.keys():
        values[key] = _date_shown(values[key])
    return values


def _date_shown(value: str) -> str:
    """An ISO date or date-time as its (local) day, written YYYY-MM-DD as the hub's messages write dates
    in either language."""
    moment = parse_datetime(value) if "T" in value else None
    day: date | None = timezone.localtime(moment).date() if moment and timezone.is_aware(moment) else None
    day = day or (moment.date() if moment else parse_date(value))
    if day is None:
        raise ValueError(f"not an ISO date: {value!r}")
    return day.isoformat()
