"""An identifier's problems in the reader's language.

hubcore cannot translate (it imports nothing of Django), so its normalisers raise IdentifierInvalid with a
sentence marked by ``gettext_noop`` and its parameters; every place where such a sentence leaves the hub (an
API error, a web form, a bulk result row) translates it here, so a Chinese reader never meets English.
"""

from __future__ import annotations

from django.utils.translation import gettext

from hubcore.identifiers import IdentifierInvalid
from hubcore.identifiers.composites import CompositeInvalid


def problem_text(problem: IdentifierInvalid) -> str:
    """The problem's sentence in the active language, its marked words ("national ID") translated too."""
    if not problem.params:
        return gettext(problem.template)
    # gettext("") would return the catalogue's header, so only non-empty words are looked up.
    params = {
        name: gettext(value) if isinstance(value, str) and value else value
        for name, value in problem.params.items()
    }
    return gettext(problem.template) % params


def problem_messages(problem: IdentifierInvalid) -> list[str] | dict[str, list[str]]:
    """The problem as an error body: one sentence, or one per field of a composite identifier."""
    if isinstance(problem, CompositeInvalid):
        return {name: [problem_text(field_problem)] for name, field_problem in problem.problems.items()}
    return [problem_text(problem)]
