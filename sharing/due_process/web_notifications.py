"""Notifications pages: the organisation's inbox with read and unread, marking read; the header's count."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.web_access import ActorRequest, capability_required
from accounts.web_lists import page_audited
from sharing.due_process.services import disputes, notifications
from sharing.reports.services.notifications import notification_text, notification_title


@capability_required(Capability.ORGANISATION_READ)
def notification_list(request: ActorRequest) -> HttpResponse:
    """The organisation's notifications, newest first, unread ones marked, one page audited as the API's list."""
    page = page_audited(
        request,
        disputes.notifications_of(actor=request.actor),
        audit=lambda rows: disputes.notifications_page_audit(actor=request.actor, page=rows),
    )
    # Each notification in the reader's language, rendered now from its kind and data.
    rows = [(n, notification_title(n), notification_text(n)) for n in page]
    return render(request, "sharing/notifications.html", {"page": page, "rows": rows})


@require_POST
@capability_required(Capability.ORGANISATION_READ)
def notification_read(request: ActorRequest, notification_id) -> HttpResponse:
    """Mark one notification read (another organisation's is an audited 404), then back to the list."""
    notification = notifications.notification_get(actor=request.actor, public_id=notification_id)
    notifications.notification_mark_read(notification=notification, actor=request.actor)
    messages.success(request, gettext("The notification is marked read."))
    return redirect("notifications-page")


@require_POST
@capability_required(Capability.ORGANISATION_READ)
def notification_read_all(request: ActorRequest) -> HttpResponse:
    """Mark every unread notification of the organisation read, then back to the list."""
    marked = notifications.notifications_mark_all_read(actor=request.actor)
    messages.success(request, gettext("Notifications marked read: %(count)d.") % {"count": marked})
    return redirect("notifications-page")


def unread_notifications(request) -> dict:
    """Template context: the member's unread count, counted only when a template shows it (the header)."""
    user = getattr(request, "user", None)
    member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
    if member is None:
        return {"unread_notifications": 0}
    return {
        "unread_notifications": lambda: notifications.notifications_unread_count(
            organisation_id=member.organisation_id
        )
    }
