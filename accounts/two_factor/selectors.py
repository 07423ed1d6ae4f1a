"""Reads on a member's second-factor devices (django-otp)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Member
from accounts.roles import second_factor_required


def member_of(user) -> Member | None:
    """The member behind a signed-in user (None for a superuser without one, or anyone anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "member", None)


def needs_second_factor(user) -> bool:
    member = member_of(user)
    return member is not None and second_factor_required(member.organisation_kind, member.role)


def totp_device_confirmed(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def totp_device_pending(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def recovery_device(user: AbstractBaseUser) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user: AbstractBaseUser) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


def has_second_factor(user: AbstractBaseUser) -> bool:
    return totp_device_confirmed(user) is not None
