"""The one paginator of every API list: limit/offset with a maximum page size.

A limit above HUB_API_MAX_PAGE_SIZE is lowered to it (the response's `next` link goes on
from there); a limit or offset that is not a whole number in range is a 400 naming the field.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class HubPagination(LimitOffsetPagination):
    # Properties, not the base class's attributes: read at each request, so override_settings applies.
    @property
    def default_limit(self) -> int:  # type: ignore[override]
        return settings.REST_FRAMEWORK["PAGE_SIZE"]

    @property
    def max_limit(self) -> int:  # type: ignore[override]
        return settings.HUB_API_MAX_PAGE_SIZE

    def get_limit(self, request) -> int:
        limit = _query_int(request, self.limit_query_param, default=self.default_limit, minimum=1)
        return min(limit, self.max_limit)

    def get_offset(self, request) -> int:
        return _query_int(request, self.offset_query_param, default=0, minimum=0)


def _query_int(request, name: str, *, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
        raise ValidationError(
            {name: [gettext("Give a whole number of at least %(minimum)d.") % {"minimum": minimum}]}
        )
    return int(raw)
