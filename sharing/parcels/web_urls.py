"""The couriers' parcel events page (included once by hub/urls.py)."""

from django.urls import path

from sharing.parcels import web

urlpatterns = [path("parcels/", web.parcel_events_page, name="parcel-events-page")]
