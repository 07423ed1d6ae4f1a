"""The officers' and the court's further disclosure pages (the first four are in hub/urls.py)."""

from __future__ import annotations

from django.urls import path

from sharing.disclosure import web

urlpatterns = [
    path("disclosures/awaiting/", web.disclosure_awaiting, name="disclosure-awaiting"),
    path(
        "disclosures/<uuid:request_id>/order-document",
        web.disclosure_order_document,
        name="disclosure-order-document",
    ),
    path("disclosures/<uuid:request_id>/narrow", web.disclosure_narrow, name="disclosure-narrow-page"),
    path(
        "disclosures/<uuid:request_id>/authority-approval",
        web.disclosure_authority_approval,
        name="disclosure-authority-approval-page",
    ),
]
