"""Routes of the due-process pages (notifications), included once by hub/urls.py."""

from django.urls import path

from sharing.due_process import web_notifications

urlpatterns = [
    path("notifications/", web_notifications.notification_list, name="notifications-page"),
    path("notifications/read-all", web_notifications.notification_read_all, name="notifications-read-all"),
    path(
        "notifications/<uuid:notification_id>/read",
        web_notifications.notification_read,
        name="notification-read",
    ),
]
