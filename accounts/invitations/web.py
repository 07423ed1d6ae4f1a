"""Pages: members and invitations (admins), accepting an invitation, API keys (own; admins: everyone's)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.invitations import selectors, services
from accounts.invitations.inputs import (
    AcceptInput,
    InvitationCreateInput,
    MemberStandingReasonInput,
    WebApiKeyInput,
)
from accounts.roles import VALID_ROLES, Capability, OrganisationKind, Role, scopes_for
from accounts.web_access import ActorRequest, api_input, capability_required, domain_errors
from accounts.web_lists import page_audited
from hub.errors import DomainError

BACKEND = "accounts.backends.HubModelBackend"


# --- members and invitations ---------------------------------------------------------------


def _members_page(
    request: ActorRequest, *, errors: dict | None = None, form: dict | None = None, status: int = 200
) -> HttpResponse:
    actor = request.actor
    members = page_audited(
        request,
        selectors.members_of(actor=actor),
        audit=lambda rows: selectors.members_page_audit(actor=actor, page=rows),
    )
    for member in members:
        member.two_factor = selectors.two_factor_enrolled(member)
    invitations = page_audited(
        request,
        selectors.invitations_list(actor=actor),
        audit=lambda rows: selectors.invitations_page_audit(actor=actor, page=rows),
    )
    return render(
        request,
        "invitations/members.html",
        {
            "members": members,
            "invitations": invitations,
            "roles": [Role(r) for r in VALID_ROLES[OrganisationKind(actor.organisation.kind)]],
            "errors": errors or {},
            "form": form or {},
        },
        status=status,
    )


@capability_required(Capability.MEMBER_MANAGE)
def members(request: ActorRequest) -> HttpResponse:
    """The organisation's members and invitations; POST invites a person."""
    if request.method != "POST":
        return _members_page(request)
    data, errors = api_input(InvitationCreateInput, request.POST)
    if data is None:
        return _members_page(request, errors=errors, form=request.POST, status=400)
    try:
        services.invitation_create(email=data["email"], role=data["role"], actor=request.actor)
    except DomainError as exc:
        return _members_page(request, errors=domain_errors(exc), form=request.POST, status=exc.status_code)
    messages.info(request, gettext("The invitation was sent."))
    return redirect("members-page")


@require_POST
@capability_required(Capability.MEMBER_MANAGE)
def invitation_revoke(request: ActorRequest, invitation_id) -> HttpResponse:
    invitation = selectors.invitation_get(actor=request.actor, public_id=invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.actor)
    except DomainError as exc:
        return _members_page(request, errors=domain_errors(exc), status=exc.status_code)
    messages.info(request, gettext("The invitation was revoked."))
    return redirect("members-page")


def _member_standing(request: ActorRequest, member_id, service) -> HttpResponse:
    member = selectors.member_get(actor=request.actor, public_id=member_id)
    data, errors = api_input(MemberStandingReasonInput, request.POST)
    if data is None:
        return _members_page(request, errors=errors, status=400)
    try:
        service(member=member, reason=data["reason"], actor=request.actor)
    except DomainError as exc:
        return _members_page(request, errors=domain_errors(exc), status=exc.status_code)
    return redirect("members-page")


@require_POST
@capability_required(Capability.MEMBER_MANAGE)
def member_deactivate(request: ActorRequest, member_id) -> HttpResponse:
    return _member_standing(request, member_id, services.member_deactivate)


@require_POST
@capability_required(Capability.MEMBER_MANAGE)
def member_reactivate(request: ActorRequest, member_id) -> HttpResponse:
    return _member_standing(request, member_id, services.member_reactivate)


# --- accepting an invitation ---------------------------------------------------------------


SESSION_TOKEN = "invitation_token"


def accept_link(request: HttpRequest, token: str) -> HttpResponse:
    """The mail's link: keep the token in the session and move to a path without it at once.

    So the token is in exactly one request line (this redirect); the page, its errors, Django's
    request log and the sign-in's log all see /invitations/accept/ only."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    request.session[SESSION_TOKEN] = token
    return redirect("invitation-accept")


def accept(request: HttpRequest) -> HttpResponse:
    """Open to anyone holding the link: shows organisation and role, and sets the password.

    Audit rows name the invitation by its public id; the token is never written anywhere."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    request_id = getattr(request, "request_id", "")
    token = request.session.get(SESSION_TOKEN, "")
    try:
        invitation = services.invitation_for_token(token=token, request_id=request_id)
    except DomainError as exc:
        return render(
            request,
            "error.html",
            {"title": "This invitation cannot be used", "message": exc.message},
            status=exc.status_code,
        )
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data, errors = api_input(AcceptInput, request.POST)
        if data is not None:
            try:
                member = services.invitation_accept(
                    token=token, password=data["password"], request_id=request_id
                )
            except DomainError as exc:
                errors = domain_errors(exc)
                status = exc.status_code
            else:
                request.session.pop(SESSION_TOKEN, None)
                login(request, member.user, backend=BACKEND)
                return redirect("/")
        else:
            status = 400
    return render(
        request,
        "invitations/accept.html",
        {"invitation": invitation, "role": Role(invitation.role).label, "errors": errors},
        status=status,
    )


# --- API keys ------------------------------------------------------------------------------


def _keys_page(
    request: ActorRequest,
    *,
    organisation_wide: bool,
    errors: dict | None = None,
    new_key: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    keys = account_selectors.api_keys_visible_to(actor=actor)
    if not organisation_wide:
        keys = keys.filter(member=actor.member)
    page = page_audited(
        request, keys, audit=lambda rows: account_selectors.api_keys_page_audit(actor=actor, page=rows)
    )
    return render(
        request,
        "invitations/api_keys.html",
        {
            "keys": page,
            "organisation_wide": organisation_wide,
            "scopes": sorted(scopes_for(actor.organisation.kind, actor.role)),
            "errors": errors or {},
            "new_key": new_key,
        },
        status=status,
    )


@capability_required(Capability.APIKEY_MANAGE)
def api_keys(request: ActorRequest) -> HttpResponse:
    """Your own keys; POST creates one, shown once on the answer page."""
    if request.method != "POST":
        return _keys_page(request, organisation_wide=False)
    form = {k: v for k, v in request.POST.dict().items() if v != ""}  # an empty date: the default lifetime
    data, errors = api_input(WebApiKeyInput, {**form, "scopes": request.POST.getlist("scopes")})
    if data is None:
        return _keys_page(request, organisation_wide=False, errors=errors, status=400)
    expires = data.get("expires_on")
    try:
        _, plaintext = account_services.api_key_issue(
            member=request.actor.member,
            name=data["name"],
            scopes=data["scopes"],
            expires_in_days=(expires - date.today()).days if expires else None,
            actor=request.actor,
        )
    except DomainError as exc:
        return _keys_page(request, organisation_wide=False, errors=domain_errors(exc), status=exc.status_code)
    return _keys_page(request, organisation_wide=False, new_key=plaintext, status=201)


@capability_required(Capability.MEMBER_MANAGE)
def organisation_api_keys(request: ActorRequest) -> HttpResponse:
    """An admin: every member's keys, to revoke."""
    return _keys_page(request, organisation_wide=True)


@require_POST
@capability_required(Capability.APIKEY_MANAGE)
def api_key_revoke(request: ActorRequest, key_id) -> HttpResponse:
    api_key = account_selectors.api_key_get(actor=request.actor, public_id=key_id)
    account_services.api_key_revoke(api_key=api_key, actor=request.actor)
    messages.info(request, gettext("Key %(prefix)s… was revoked.") % {"prefix": api_key.prefix})
    back = request.POST.get("back")
    return redirect("organisation-api-keys" if back == "organisation" else "api-keys-page")
