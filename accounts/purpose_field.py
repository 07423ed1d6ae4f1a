"""The `purpose` input of every check, bulk job, watch entry and feed subscription (API and pages).

Given the organisation in the serializer's context, a missing, unknown or disallowed purpose is
refused on the field with the purposes that organisation may state; without it, only a known
purpose passes and the service's own `purpose_require` (accounts/purposes.py) has the final word.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from accounts.purposes import Purpose, organisation_purposes, purpose_require
from hub.errors import DomainError


class PurposeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "Why you access this data (purpose limitation): one of the purposes your organisation's kind "
            "and membership agreement allow; any other is a 400 naming those allowed.",
        )
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("State the purpose of this access."),
                "invalid_choice": _("Not a known purpose."),
                "null": _("State the purpose of this access."),
            },
        )
        super().__init__(choices=Purpose.choices, **kwargs)

    def run_validation(self, data=empty):
        organisation = self.context.get("organisation")
        if organisation is None:
            return super().run_validation(data)
        try:
            return purpose_require(
                organisation=organisation, purpose=None if data is empty else str(data or "")
            )
        except DomainError as refused:
            raise serializers.ValidationError(refused.fields["purpose"]) from None


def purpose_options(organisation) -> list[tuple[str, str]]:
    """The purposes the organisation may state, as (value, label) for a page's select."""
    return [(p, str(Purpose(p).label)) for p in organisation_purposes(organisation)]
