"""DRF fields whose messages read well: DRF's own ListField says "at least 1 elements"."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy, ngettext
from rest_framework import serializers

from hub.jurisdiction import country_code_valid


class ListField(serializers.ListField):
    """A ListField whose length messages count items in plain words ("Give at least 1 item.")."""

    def __init__(self, *args, **kwargs):
        # Set before DRF builds its length validators, which copy these messages.
        messages = {"empty": gettext_lazy("Give at least 1 item.")}
        if kwargs.get("min_length") is not None:
            messages["min_length"] = _at_least(kwargs["min_length"])
        if kwargs.get("max_length") is not None:
            messages["max_length"] = _at_most(kwargs["max_length"])
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        super().__init__(*args, **kwargs)


# Lazy, so a message counted when the serializer class is built reads in the language of the request.
_at_least = lazy(
    lambda n: ngettext("Give at least %(n)s item.", "Give at least %(n)s items.", n) % {"n": n}, str
)
_at_most = lazy(
    lambda n: ngettext("Give at most %(n)s item.", "Give at most %(n)s items.", n) % {"n": n}, str
)


class JurisdictionField(serializers.CharField):
    """An ISO 3166-1 alpha-2 code (any case in, upper case out), from hub.jurisdiction.COUNTRY_CODES."""

    default_error_messages = {
        "unknown": gettext_lazy("Give an ISO 3166-1 alpha-2 country code, such as CN or HK.")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("min_length", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data).upper()
        if not country_code_valid(code):
            self.fail("unknown")
        return code
