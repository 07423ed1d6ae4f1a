"""Web pages (session login): the home page, which says in words what this member can do."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.portal import links_for


@login_required
def home(request):
    member = getattr(request.user, "member", None)
    return render(request, "accounts/home.html", {"member": member, "links": links_for(member)})
