"""Web pages (session login): the home page, which says in words what this member can do."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

from accounts.portal import links_for


@login_required
def home(request):
    member = getattr(request.user, "member", None)
    return render(request, "accounts/home.html", {"member": member, "links": links_for(member)})


class SignInForm(AuthenticationForm):
    """Django's sign-in form without its autofocus: the first Tab stop stays the skip link, and a
    screen reader starts at the top of the page as on every other page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
