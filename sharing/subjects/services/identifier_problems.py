"""An identifier's problems in the reader's language.

hubcore cannot translate (it imports nothing of Django), so its normalisers raise IdentifierInvalid with a
sentence marked by ``gettext_noop`` and its parameters; every place where such a sentence leaves the hub (an
API error, a web form, a bulk result row) translates it here, so a Chinese reader never meets English.
"""

from __future__ import annotations

from django.utils.translation import gettext

from hubcore.identifiers import IdentifierInvalid
from hubcore.identifiers.composites import CompositeInvalid
from hubcore.identifiers.types import OBSERVED_OF, IdentifierType
from sharing.models.identifiers import IDENTIFIER_TYPE_LABELS

# The observed type of each verified type that has one: a value that fails validation may be one a
# courier saw on a parcel (a fake ID), which the hub records under the observed type instead.
_OBSERVED_TYPE_OF = {verified.value: observed.value for observed, verified in OBSERVED_OF.items()}


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


def problem_messages(
    problem: IdentifierInvalid, *, identifier_type: str = ""
) -> list[str] | dict[str, list[str]]:
    """The problem as an error body: one sentence, or one per field of a composite identifier.

    A verified type with an observed twin (national ID, phone, ...) adds how to record the value as seen.
    """
    if isinstance(problem, CompositeInvalid):
        return {name: [problem_text(field_problem)] for name, field_problem in problem.problems.items()}
    hint = observed_hint(identifier_type)
    return [problem_text(problem)] if hint is None else [problem_text(problem), hint]


def observed_hint(identifier_type: str, *, labelled: bool = False) -> str | None:
    """How to record a refused value as seen, for a verified type with an observed twin, else None.

    An API client needs the observed type's code ("observed_phone"); a person filling in a web form
    picks the type by its translated label (labelled=True), and never sees the code.
    """
    observed = _OBSERVED_TYPE_OF.get(identifier_type)
    if observed is None:
        return None
    if labelled:
        return gettext(
            "If this is the value as seen on a parcel or a sender account, choose the type “%(observed)s”: "
            "an observed value is recorded as written and never matched with a verified one."
        ) % {"observed": IDENTIFIER_TYPE_LABELS[IdentifierType(observed)]}
    return gettext(
        "If this is the value as seen on a parcel or a sender account, send it as type %(observed)s: "
        "an observed value is recorded as written and never matched with a verified one."
    ) % {"observed": observed}
