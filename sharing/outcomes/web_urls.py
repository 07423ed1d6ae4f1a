"""The rights owner's outcome and statistics pages (included once by hub/urls.py)."""

from django.urls import path

from sharing.outcomes import web

urlpatterns = [
    path("outcomes/", web.outcomes_page, name="outcomes-page"),
    path("statistics/", web.statistics_page, name="statistics-page"),
    path("statistics/statistics.csv", web.statistics_download, name="statistics-download"),
]
