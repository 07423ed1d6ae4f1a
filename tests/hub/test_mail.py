"""Mail leaves through Django's email framework; tests receive it on a real SMTP server."""

from __future__ import annotations

from django.core.mail import send_mail

from tests.smtp_server import body_of, links_in


def test_a_message_sent_through_django_arrives_at_the_loopback_smtp_server(smtp, settings):
    settings.HUB_PUBLIC_URL = "http://hub.test"
    send_mail("Welcome", "Open http://hub.test/a/b?c=1 to begin.", None, ["clerk@court.example"])

    [message] = smtp.wait_for("clerk@court.example")
    assert message["Subject"] == "Welcome"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert "to begin" in body_of(message)
    assert links_in(message) == ["http://hub.test/a/b?c=1"]
