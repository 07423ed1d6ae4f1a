"""Writes for two-factor sign-in: enrolment, verification, recovery codes, and the audit rows of
sign-in, password reset and session expiry. Each write and its audit row share one transaction.

The codes themselves are django-otp's (TOTPDevice, StaticDevice): no hand-written TOTP. A wrong
code is counted by django-otp's throttling (OTP_TOTP_THROTTLE_FACTOR: each failure doubles the wait
before the next try); a try while the wait runs is a lockout, refused with 429 and audited. Failed
tries are recorded in their own transaction (audit_record_denied), after the throttle counter is
saved, so a refusal rolls back neither.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record, audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.models import Member
from accounts.two_factor import selectors
from hub.errors import DomainError, TooManyRequestsError

WRONG_CODE = gettext_lazy("That code is not right (or was already used).")


def _actor(member: Member, request_id: str) -> Actor:
    return Actor(member=member, request_id=request_id)


def _refuse(member: Member, *, tag: AuditTag, reason: str, request_id: str) -> None:
    audit_record_denied(
        actor=_actor(member, request_id), tag=tag, target_type="member", reason=reason, request_id=request_id
    )


def _throttled(device: Device) -> bool:
    allowed, _ = device.verify_is_allowed()
    return not allowed


def _check(member: Member, device: Device | None, code: str, *, request_id: str, field: str = "code") -> None:
    """Verify a code with one device; a wrong code or a lockout is audited and refused."""
    if device is not None and _throttled(device):
        _refuse(
            member,
            tag=AuditTag.SECOND_FACTOR_LOCKED_OUT,
            reason="too many wrong codes: locked out for a while",
            request_id=request_id,
        )
        raise TooManyRequestsError(
            gettext("Too many wrong codes. Wait a little, then try again."),
            fields={field: [gettext("Too many wrong codes; wait before trying again.")]},
        )
    if device is None or not device.verify_token(code):
        _refuse(
            member,
            tag=AuditTag.SECOND_FACTOR_FAILED,
            reason="wrong second-factor code",
            request_id=request_id,
        )
        raise DomainError(str(WRONG_CODE), fields={field: [str(WRONG_CODE)]})


def enrolment_device(member: Member) -> TOTPDevice:
    """The unconfirmed authenticator a member is enrolling: made once, shown until confirmed."""
    device = selectors.totp_device_pending(member.user)
    if device is None:
        device = TOTPDevice.objects.create(user=member.user, name="authenticator", confirmed=False)
    return device


def _recovery_codes_replace(member: Member) -> list[str]:
    StaticDevice.objects.filter(user=member.user).delete()
    device = StaticDevice.objects.create(user=member.user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.HUB_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def enrolment_confirm(
    *, member: Member, code: str, current_code: str = "", request_id: str = ""
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code from it; returns it and fresh recovery codes.

    Replacing an enrolled authenticator needs a current code from the old one first."""
    existing = selectors.totp_device_confirmed(member.user)
    if existing is not None:
        if not current_code:
            raise DomainError(
                gettext("Enter a current code from the authenticator you enrolled before."),
                fields={"current_code": [gettext("Required to replace your authenticator.")]},
            )
        _check(member, existing, current_code, request_id=request_id, field="current_code")
    pending = selectors.totp_device_pending(member.user)
    if pending is None:
        raise DomainError(
            gettext("Start the enrolment again."),
            fields={"code": [gettext("No authenticator is being enrolled.")]},
        )
    _check(member, pending, code, request_id=request_id)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=member.user, confirmed=True).delete()
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(member)
        audit_record(
            actor=_actor(member, request_id),
            tag=AuditTag.SECOND_FACTOR_ENROLLED,
            target=member,
            data_class=DataClass.ADMINISTRATIVE,
            details={"replaced": existing is not None, "recovery_codes": len(codes)},
        )
    return pending, codes


def recovery_codes_regenerate(*, member: Member, code: str, request_id: str = "") -> list[str]:
    """New recovery codes (the old ones stop working), after a current authenticator code."""
    _check(member, selectors.totp_device_confirmed(member.user), code, request_id=request_id)
    with transaction.atomic():
        codes = _recovery_codes_replace(member)
        audit_record(
            actor=_actor(member, request_id),
            tag=AuditTag.RECOVERY_CODES_REGENERATED,
            target=member,
            data_class=DataClass.ADMINISTRATIVE,
            details={"recovery_codes": len(codes)},
        )
    return codes


def second_factor_verify(*, member: Member, code: str, request_id: str = "") -> Device:
    """Check the code asked after the password: a TOTP code (digits) or a single-use recovery code."""
    recovery = not code.isdigit()
    device: Device | None = (
        selectors.recovery_device(member.user) if recovery else selectors.totp_device_confirmed(member.user)
    )
    _check(member, device, code, request_id=request_id)
    assert device is not None  # _check refuses a missing device
    with transaction.atomic():
        audit_record(
            actor=_actor(member, request_id),
            tag=AuditTag.SECOND_FACTOR_PASSED,
            target=member,
            data_class=DataClass.ADMINISTRATIVE,
            details={"method": "recovery_code" if recovery else "totp"},
        )
        if recovery:
            audit_record(
                actor=_actor(member, request_id),
                tag=AuditTag.RECOVERY_CODE_USED,
                target=member,
                data_class=DataClass.ADMINISTRATIVE,
                details={"recovery_codes_left": selectors.recovery_codes_left(member.user)},
            )
    return device


@transaction.atomic
def signed_in(*, member: Member, request_id: str = "") -> None:
    """A member passed the password step (the second factor, where needed, is audited on its own)."""
    audit_record(
        actor=_actor(member, request_id),
        tag=AuditTag.SIGNED_IN,
        target=member,
        data_class=DataClass.ADMINISTRATIVE,
    )


@transaction.atomic
def password_reset_requested(*, members: list[Member], request_id: str = "") -> None:
    """Someone asked for a reset link. The address typed is never recorded; the member is, when known."""
    if not members:
        audit_record(
            actor=None,
            tag=AuditTag.PASSWORD_RESET_REQUESTED,
            target_type="member",
            data_class=DataClass.ADMINISTRATIVE,
            details={"matched": False},
            request_id=request_id,
        )
    for member in members:
        audit_record(
            actor=_actor(member, request_id),
            tag=AuditTag.PASSWORD_RESET_REQUESTED,
            target=member,
            data_class=DataClass.ADMINISTRATIVE,
            details={"matched": True},
        )


@transaction.atomic
def password_reset_completed(*, user, request_id: str = "") -> None:
    """A member set a new password from a reset link; the second factor is still asked at sign-in."""
    user.save()
    member = getattr(user, "member", None)
    audit_record(
        actor=_actor(member, request_id) if member else None,
        tag=AuditTag.PASSWORD_RESET_COMPLETED,
        target=member,
        target_type="user" if member is None else "",
        target_id="" if member else str(user.pk),
        data_class=DataClass.ADMINISTRATIVE,
        request_id=request_id,
    )


@transaction.atomic
def session_expired(*, member: Member | None, reason: str, request_id: str = "") -> None:
    audit_record(
        actor=_actor(member, request_id) if member else None,
        tag=AuditTag.SESSION_EXPIRED,
        target=member,
        target_type="" if member else "session",
        data_class=DataClass.ADMINISTRATIVE,
        details={"reason": reason},
        request_id=request_id,
    )
