"""What every browser test does the same way: sign a member in (with the second factor where the role
needs one), sign out, and look at a page at a desktop and a phone width.

One copy, so a change to the sign-in page (a field, a step) is made once for every walk."""

from __future__ import annotations

import re
from pathlib import Path

from accounts.models import Member
from accounts.roles import second_factor_required
from tests.factories import totp_code, totp_device_for

PASSWORD = "correct horse battery staple"
WIDTHS = (1280, 360)
# What sticks out past the window's right edge (outside a scrolling table), to name it in a failure.
STICKING_OUT = """Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
  .slice(0, 8).map(e => `${e.tagName}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


def with_password(member: Member, password: str = PASSWORD) -> Member:
    """The member, able to sign in on the web with `password`."""
    member.user.set_password(password)
    member.user.save()
    return member


def sign_in_with(page, base: str, username: str, password: str, device=None) -> None:
    """Password, then (for a member with an authenticator) the code it shows now."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    if device is not None:
        page.wait_for_url(re.compile(r".*/account/two-factor/verify/.*"))
        device.refresh_from_db()
        page.fill("#id_code", totp_code(device))
        page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def sign_in(page, base: str, member: Member, password: str = PASSWORD) -> None:
    """Sign a member in and land on the home page; a role that needs a second factor has one enrolled."""
    needs_code = second_factor_required(member.organisation_kind, member.role)
    sign_in_with(page, base, member.user.username, password, totp_device_for(member) if needs_code else None)
    page.wait_for_url(f"{base}/")


def sign_out(page) -> None:
    page.locator("form.sign-out button[type=submit]").click()
    page.wait_for_load_state()


def at_both_widths(page, folder: Path, name: str) -> None:
    """The page at 1280 and 360 px wide, saved for a look; neither may scroll sideways."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} at {width}px"
        )
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
