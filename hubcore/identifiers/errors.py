"""The one error every normaliser raises; its message never carries the submitted value."""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Mark a message for the hub's translation catalogue and return it unchanged.

    hubcore imports nothing of Django, so it cannot translate; it only marks. The name is Django's own
    marker, which `makemessages` extracts by default, so these sentences land in locale/ with the rest;
    the hub translates them where they leave it (sharing.subjects.services.identifier_problems), in the
    reader's language. hubctl shows the English.
    """
    return message


class IdentifierInvalid(ValueError):
    """An identifier could not be normalised.

    ``template`` is a sentence marked with ``gettext_noop`` saying what is wrong, with ``%(name)s``
    placeholders filled from ``params``; ``message`` is that sentence in English. Neither may ever contain
    the submitted value or any part of it: raw personal data must not leak into API error bodies or logs.
    A ``str`` param that is itself a marked word ("national ID") is translated with the sentence.
    Raise with ``from None`` so no library exception is chained either.
    """

    def __init__(self, template: str, **params: str | int):
        self.template = template
        self.params = params
        self.message = template % params if params else template
        super().__init__(self.message)
