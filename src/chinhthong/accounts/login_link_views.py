"""The pages of logging in by a link sent by email (accounts/login_links.py)."""

from django import forms
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from chinhthong.accounts import login_links
from chinhthong.config.client_ip import client_ip

# The backend the session records: the person logs in as an ordinary account.
BACKEND = "django.contrib.auth.backends.ModelBackend"


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    """The page "Đăng nhập bằng liên kết qua email": the same answer for every address."""
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        login_links.ask_for_link(form.cleaned_data["email"], client=client_ip(request))
        return render(request, "accounts/login_link.html", {"sent": True})
    return render(request, "accounts/login_link.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def use(request, token: str):
    """The link from the message: a button that logs in (a POST, which link scanners do not
    send), and the log-in itself."""
    if request.method == "POST":
        user = login_links.redeem(token)
        if user is not None:
            login(request, user, backend=BACKEND)
            return redirect(landing(user))
    elif login_links.usable(token):
        return render(request, "accounts/login_link_use.html")
    return render(request, "accounts/login_link_spent.html", status=410)


def landing(user) -> str:
    """Where a person lands after logging in: the back office for those who work there, the
    staff portal for people on a roster."""
    if user.is_staff:
        return reverse("admin:index")
    return reverse("reach:home")
