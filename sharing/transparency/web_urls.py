"""The public transparency report and the operators' transparency pages (included once by hub/urls.py)."""

from django.urls import path

from sharing.transparency import web

urlpatterns = [
    path("transparency/", web.transparency_index, name="transparency-index"),
    path("transparency/draft/", web.transparency_draft, name="transparency-draft"),
    path("transparency/indicators/", web.indicators_page, name="transparency-indicators"),
    path("transparency/<str:period>/", web.transparency_quarter, name="transparency-quarter"),
    path("transparency/<str:period>.json", web.transparency_document, name="transparency-document"),
    path("transparency/<str:period>.json.sig", web.transparency_signature, name="transparency-signature"),
]
