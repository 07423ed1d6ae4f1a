"""Template context every page shares: the signed-in member's portal links (accounts/portal.py)."""

from accounts.portal import links_for


def portal(request) -> dict:
    user = getattr(request, "user", None)
    member = getattr(user, "member", None) if user is not None and user.is_authenticated else None
    return {"portal_links": links_for(member)}
