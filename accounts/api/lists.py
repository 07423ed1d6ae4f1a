"""The base of every API list: a selector's queryset, HubPagination, and one audit row per page.

A list view names its selector (`list_queryset`), its output serializer, optionally a filter set,
and how a page is audited (`page_audit`, which calls the selector's `*_page_audit`). It never
paginates or audits by hand, so no list can forget its audit row or its maximum page size.
Document a subclass's GET with drf-spectacular's `extend_schema_view(get=extend_schema(...))`.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import FilterSet
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.api.base import HubApiView
from hub.pagination import HubPagination


class HubListApi(HubApiView):
    output_serializer: type[BaseSerializer]
    # Declared so the OpenAPI schema describes every list as HubPagination's page.
    pagination_class = HubPagination
    # A django-filter FilterSet over the selector's queryset; its errors are a 400 naming the fields.
    filterset_class: type[FilterSet] | None = None

    def list_queryset(self, **kwargs) -> QuerySet:
        """The rows the actor may list (a selector's scoped queryset); kwargs are the URL's."""
        raise NotImplementedError

    def page_audit(self, page: list, *, filters: dict, **kwargs) -> None:
        """Write the one audit row of this page (ids or a count, as the selector's *_page_audit does)."""
        raise NotImplementedError

    def get(self, request, **kwargs) -> Response:
        queryset, filters = self.filtered(self.list_queryset(**kwargs))
        paginator = self.pagination_class()
        # Never None: HubPagination always pages (the limit has a default).
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        self.page_audit(page, filters=filters, **kwargs)
        return paginator.get_paginated_response(self.output_serializer(self.page_rows(page), many=True).data)

    def page_rows(self, page: list) -> list:
        """What the output serializer renders for the page's rows (the rows themselves, unless a list
        reads more for each page it shows, as the outcomes of a rights owner's subjects do)."""
        return page

    def filtered(self, queryset: QuerySet) -> tuple[QuerySet, dict]:
        """The queryset narrowed by the filter set, and the filters the request applied."""
        if self.filterset_class is None:
            return queryset, {}
        params = self.request.query_params
        filtered = self.filterset_class(params, queryset=queryset)
        if not filtered.is_valid():
            raise ValidationError(filtered.errors)
        return filtered.qs, {k: v for k, v in params.items() if k in filtered.filters}
