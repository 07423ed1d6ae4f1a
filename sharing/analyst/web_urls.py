"""The analyst's and their admins' pages (included once by hub/urls.py)."""

from django.urls import path

from sharing.analyst import web_admin, web_check, web_disputes, web_feed, web_feedback, web_watchlist

urlpatterns = [
    path("check/", web_check.check_page, name="check-page"),
    path("feedback/", web_feedback.feedback_page, name="feedback-page"),
    path("watchlist/", web_watchlist.watchlist_page, name="watchlist-page"),
    path(
        "watchlist/<uuid:entry_id>/remove", web_watchlist.watch_entry_remove, name="watch-entry-remove-page"
    ),
    path("disputes/filed/", web_disputes.disputes_filed, name="disputes-filed"),
    path("disputes/filed/<uuid:dispute_id>/", web_disputes.dispute_filed_page, name="dispute-filed-page"),
    path("organisation/webhooks/", web_admin.webhooks_page, name="webhooks-page"),
    path("organisation/webhooks/<uuid:endpoint_id>/", web_admin.webhook_page, name="webhook-page"),
    path(
        "organisation/webhooks/<uuid:endpoint_id>/remove",
        web_admin.webhook_remove,
        name="webhook-remove-page",
    ),
    path("organisation/policy/", web_admin.policy_page, name="policy-page"),
    path("feed/subscriptions/", web_feed.feed_subscriptions_page, name="feed-subscriptions-page"),
]
