"""The sales totals pages (included once by hub/urls.py)."""

from django.urls import path

from sharing.sales_totals import web

urlpatterns = [
    path("sales-totals/", web.requests_page, name="sales-totals-page"),
    path("sales-totals/tasks/", web.tasks_page, name="sales-totals-tasks-page"),
]
