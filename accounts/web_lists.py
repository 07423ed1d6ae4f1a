"""The base of every listing page: one page of a selector's queryset, audited once.

The pages' counterpart of accounts/api/lists.py: a page view asks for `page_audited` and renders
the page; it never builds a Paginator or writes its page's audit row by hand.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

PAGE_SIZE = 50


def page_audited(
    request, queryset: QuerySet, *, audit: Callable[[list], None] | None, page_size: int = PAGE_SIZE
) -> Page:
    """The page the request's ?page= names (out of range: the last), its rows audited by `audit`.

    `audit=None` only for a refused listing whose queryset is empty (`.none()`): nothing was read."""
    page = Paginator(queryset, page_size).get_page(request.GET.get("page"))
    if audit is not None:
        audit(list(page))
    return page
