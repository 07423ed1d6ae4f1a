"""Web pages (session login). The audit review UI builds on these."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.roles import capabilities_for


@login_required
def home(request):
    member = getattr(request.user, "member", None)
    capabilities = sorted(capabilities_for(member.organisation.kind, member.role)) if member else []
    return render(request, "accounts/home.html", {"member": member, "capabilities": capabilities})
