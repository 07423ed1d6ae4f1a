"""Pages: two-factor enrolment, the code asked after the password, recovery codes, password reset.

Forms are validated with the same input serializers as everywhere (inputs.py, api_input); writes
and their audit rows go through services.py.
"""

from __future__ import annotations

import base64

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts.models import Member
from accounts.two_factor import selectors, services
from accounts.two_factor.forms import HubPasswordResetForm, HubSetPasswordForm
from accounts.two_factor.inputs import CodeInput, EnrolInput
from accounts.web_access import PAGE_METHODS, api_input, domain_errors
from hub.errors import DomainError


def _member(request) -> Member:
    member = selectors.member_of(request.user)
    if member is None:
        raise Http404("Only members of an organisation enrol a second factor.")
    return member


def _request_id(request) -> str:
    return getattr(request, "request_id", "")


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _codes_page(request, codes: list[str]):
    return render(request, "two_factor/recovery_codes.html", {"codes": codes, "next": _next(request)})


@require_http_methods(PAGE_METHODS)
@login_required
def enrol(request):
    member = _member(request)
    device = services.enrolment_device(member)
    replacing = selectors.has_second_factor(request.user)
    errors = {}
    status = 200
    if request.method == "POST":
        data, errors = api_input(EnrolInput, request.POST)
        if data is not None:
            try:
                confirmed, codes = services.enrolment_confirm(
                    member=member,
                    code=data["code"],
                    current_code=data.get("current_code", ""),
                    request_id=_request_id(request),
                )
            except DomainError as exc:
                errors, status = domain_errors(exc), exc.status_code
            else:
                django_otp.login(request, confirmed)
                return _codes_page(request, codes)
        else:
            status = 400
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "two_factor/enrol.html",
        {
            "secret": secret,
            "qr_data_uri": qr.svg_data_uri(scale=4),
            "replacing": replacing,
            "errors": errors,
            "next": _next(request),
        },
        status=status,
    )


@require_http_methods(PAGE_METHODS)
@login_required
def verify(request):
    member = _member(request)
    errors = {}
    status = 200
    if request.method == "POST":
        data, errors = api_input(CodeInput, request.POST)
        if data is not None:
            try:
                device = services.second_factor_verify(
                    member=member, code=data["code"], request_id=_request_id(request)
                )
            except DomainError as exc:
                errors, status = domain_errors(exc), exc.status_code
            else:
                django_otp.login(request, device)
                return redirect(_next(request))
        else:
            status = 400
    return render(
        request, "two_factor/verify.html", {"errors": errors, "next": _next(request)}, status=status
    )


@require_http_methods(PAGE_METHODS)
@login_required
def recovery_codes(request):
    """New recovery codes, after a current authenticator code; the old ones stop working."""
    member = _member(request)
    if not selectors.has_second_factor(request.user):
        return redirect("two-factor-enrol")
    errors = {}
    status = 200
    if request.method == "POST":
        data, errors = api_input(CodeInput, request.POST)
        if data is not None:
            try:
                codes = services.recovery_codes_regenerate(
                    member=member, code=data["code"], request_id=_request_id(request)
                )
            except DomainError as exc:
                errors, status = domain_errors(exc), exc.status_code
            else:
                return _codes_page(request, codes)
        else:
            status = 400
    return render(
        request,
        "two_factor/regenerate.html",
        {"errors": errors, "left": selectors.recovery_codes_left(request.user)},
        status=status,
    )


password_reset = auth_views.PasswordResetView.as_view(
    form_class=HubPasswordResetForm,
    template_name="two_factor/password_reset_form.html",
    email_template_name="two_factor/password_reset_email.txt",
    subject_template_name="two_factor/password_reset_subject.txt",
    success_url=reverse_lazy("password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="two_factor/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=HubSetPasswordForm,
    template_name="two_factor/password_reset_confirm.html",
    success_url=reverse_lazy("password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="two_factor/password_reset_complete.html"
)
