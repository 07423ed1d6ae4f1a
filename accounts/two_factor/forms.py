"""Django's password-reset forms, adapted: the link is built on HUB_PUBLIC_URL (never the request's
Host), and requesting and completing a reset are audited (services.py). Their writes (the mail, the
new password) are Django's own; the pages (web.py) only name these forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.template import loader

from accounts.mail.services import mail_queue
from accounts.two_factor import services


class HubPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the link on HUB_PUBLIC_URL (never the request's Host) and an audit row."""

    def save(self, **kwargs):
        public = urlsplit(settings.HUB_PUBLIC_URL)
        kwargs["domain_override"] = public.netloc
        kwargs["use_https"] = public.scheme == "https"
        kwargs["extra_email_context"] = {"hub_public_url": settings.HUB_PUBLIC_URL}
        super().save(**kwargs)
        request = kwargs.get("request")
        users = self.get_users(self.cleaned_data["email"])
        members = [member for user in users if (member := getattr(user, "member", None)) is not None]
        services.password_reset_requested(members=members, request_id=getattr(request, "request_id", ""))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the hub's one outbox (accounts/mail/), like every other message: it leaves after
        commit, is retried while SMTP is down, and its body (the one-time link) is forgotten once sent."""
        mail_queue(
            to=to_email,
            subject=loader.render_to_string(subject_template_name, context),
            body=loader.render_to_string(email_template_name, context),
            about=getattr(context.get("user"), "member", None),
        )


class HubSetPasswordForm(SetPasswordForm):
    def save(self, commit=True):
        user = super().save(commit=False)
        services.password_reset_completed(user=user)
        return user
