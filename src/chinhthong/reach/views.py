"""The staff portal (/cong-chuc/): today's and unread bulletins, a bulletin with "Đã đọc" and
share buttons, the personal link from a message, the app declaration and what is recorded
about the person. Views parse and answer; reach/events.py records, reach/queries.py reads.

Pages are for a logged-in user on a roster (a StaffMember); anyone else logged in gets 404,
and someone not logged in is sent to the log-in page. The personal link needs no log-in: its
signature names the person, and it logs no one in.
"""

from functools import wraps
from urllib.parse import urlencode, urlsplit

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chinhthong.clients.ratelimit import limited
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.portal.services import share_links
from chinhthong.reach import events, links, queries
from chinhthong.reach.models import StaffMember, Via
from chinhthong.reach.portal_forms import AppInstalledForm, ShareForm

# A POST of the portal carries a few short fields.
SMALL_BODY = 8 * 1024
EVENTS_PER_PAGE = 50
# The share pages of Facebook and Zalo: a share form's answer is a redirect there, which the
# Content-Security-Policy's form-action must allow on the pages that hold those forms.
SHARE_ORIGINS = sorted(
    {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in share_links("https://x/").values()}
)
# What the helper "pushzalo" adds to the portal's home page, when it is installed.
SNIPPETS = {
    "pwa_head": "delivery/_pwa_head.html",
    "push_snippet": "delivery/_push_subscribe.html",
    "zalo_snippet": "delivery/_zalo_link.html",
}


def staff_page(view):
    """Only for a user on a roster: not logged in → the log-in page, then back; logged in but on
    no roster → 404. The view gets the StaffMember."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            # After logging in, a form's target would answer 405: back to the portal instead.
            wanted = request.get_full_path() if request.method == "GET" else reverse("reach:home")
            return redirect_to_login(wanted)
        staff = queries.staff_of(request.user)
        if staff is None:
            return not_for_you(
                request,
                _("This page is for staff on a unit's roster"),
                _(
                    "Your account is on no unit's roster. If you work for one, ask an "
                    "administrator to add you to its roster."
                ),
            )
        return view(request, staff, *args, **kwargs)

    return wrapped


def not_for_you(request, heading: str, reason: str) -> HttpResponse:
    """A logged-in person's 404 for a staff-side page that is not theirs: it says why, and
    where they may go instead (not the public 404, which warns of a fake link)."""
    context = {"heading": heading, "reason": reason}
    return render(request, "reach/not_for_you.html", context, status=404)


def active_only(staff: StaffMember) -> None:
    """People who left keep seeing their own data, but no longer bulletins or forms."""
    if not staff.active:
        raise Http404(_("You are no longer on a unit's roster."))


def _bulletin(staff: StaffMember, slug: str):
    active_only(staff)
    try:
        return queries.bulletin_for(staff, slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _portal(request, template: str, staff: StaffMember, section: str, **context):
    context.update(
        staff=staff,
        section=section,
        unread_count=len(queries.unread_for(staff)) if staff.active else 0,
        **_snippets(),
    )
    return render(request, template, context, status=context.pop("status", 200))


# --- Pages of a logged-in staff member ------------------------------------------------------
@limited("pages")
@require_GET
@never_cache
@staff_page
def home(request, staff: StaffMember):
    """Today's bulletins and the unread ones, urgent first; opening it counts today's access."""
    if not staff.active:
        return _portal(request, "reach/home.html", staff, "home", left=True)
    events.record_access(staff)
    found = queries.home_for(staff)
    return _portal(
        request,
        "reach/home.html",
        staff,
        "home",
        today=found.today,
        unread=found.unread,
        app_declared_on=events.app_installed_on(staff),
        app=queries.official_app(),
    )


@limited("pages")
@require_GET
@never_cache
@staff_page
def unread(request, staff: StaffMember):
    active_only(staff)
    return _portal(
        request, "reach/unread.html", staff, "unread", bulletins=queries.unread_for(staff)
    )


@limited("pages")
@require_GET
@never_cache
@csp_update({"form-action": SHARE_ORIGINS})
@staff_page
def bulletin(request, staff: StaffMember, slug: str):
    """The bulletin; opening it here counts as reading it (via the portal): docs/privacy.md."""
    found = _bulletin(staff, slug)
    events.record_read(staff, found, via=Via.PORTAL)
    return _portal(
        request,
        "reach/bulletin.html",
        staff,
        "bulletin",
        **_bulletin_context(staff, found),
        share_action=reverse("reach:share", kwargs={"slug": found.slug}),
    )


@limited("pages", max_body=SMALL_BODY)
@require_POST
@never_cache
@staff_page
def mark_read(request, staff: StaffMember, slug: str):
    """ "Đã đọc": the person says they read it (in a message, the app, on paper)."""
    found = _bulletin(staff, slug)
    if events.record_read(staff, found, via=Via.BUTTON) is not None:
        messages.success(request, _("Recorded: you have read this bulletin."))
    else:
        messages.info(request, _("You had already read this bulletin."))
    return redirect(_safe_next(request) or reverse("reach:home"))


@limited("pages", max_body=SMALL_BODY)
@require_POST
@never_cache
@staff_page
def share(request, staff: StaffMember, slug: str):
    found = _bulletin(staff, slug)
    back = reverse("reach:bulletin", kwargs={"slug": found.slug})
    return _share(request, staff, found, back)


@limited("pages", max_body=SMALL_BODY)
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@staff_page
def app_installed(request, staff: StaffMember):
    """ "Tôi đã cài …": the day the person installed the official app."""
    active_only(staff)
    form = AppInstalledForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            events.declare_app_installed(staff, on=form.cleaned_data["on"])
        except Refused as exc:
            form.add_error("on", exc.message)
        else:
            messages.success(request, _("Recorded: you installed the app."))
            return redirect("reach:app")
    status = 400 if form.is_bound and form.errors else 200
    return _portal(
        request,
        "reach/app.html",
        staff,
        "app",
        form=form,
        app=queries.official_app(),
        declared_on=events.app_installed_on(staff),
        activity=queries.activity_of(staff),
        status=status,
    )


@limited("pages")
@require_GET
@never_cache
@staff_page
def my_data(request, staff: StaffMember):
    """Everything recorded about the person (Decree 13/2023/NĐ-CP: their right to see it)."""
    page = Paginator(queries.events_of(staff), EVENTS_PER_PAGE).get_page(request.GET.get("trang"))
    return _portal(
        request,
        "reach/my_data.html",
        staff,
        "data",
        activity=queries.activity_of(staff),
        page=page,
        retention_days=settings.REACH_RETENTION_DAYS,
    )


# --- The personal link: no log-in ----------------------------------------------------------
@limited("pages")
@require_GET
@never_cache
@csp_update({"form-action": SHARE_ORIGINS})
def read_link(request, token: str):
    """The link in a person's message: records that they read the bulletin as it stands now
    (after a significant correction, the newest version) and shows it. Logs no one in."""
    found = _from_token(token)
    if found is None:
        return _invalid_link(request)
    staff, bulletin_ = found
    events.record_read(staff, bulletin_, via=Via.PERSONAL_LINK)
    context = _bulletin_context(staff, bulletin_)
    context["share_action"] = reverse("reach:read-link-share", kwargs={"token": token})
    response = render(request, "reach/read_link.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@limited("pages", max_body=SMALL_BODY)
@require_POST
@never_cache
def read_link_share(request, token: str):
    found = _from_token(token)
    if found is None:
        return _invalid_link(request)
    staff, bulletin_ = found
    return _share(request, staff, bulletin_, reverse("reach:read-link", kwargs={"token": token}))


def _from_token(token: str):
    ids = links.read_token(token)
    if ids is None:
        return None
    staff = StaffMember.objects.select_related("unit").filter(pk=ids[0], active=True).first()
    bulletin_ = queries.published_bulletin(ids[1])
    if staff is None or bulletin_ is None:
        return None
    return staff, bulletin_


def _invalid_link(request) -> HttpResponse:
    response = render(
        request,
        "reach/refused.html",
        {
            "title": _("This link cannot be used"),
            "message": _(
                "The link is incomplete, has expired, or the bulletin is no longer published. "
                "Log in to the staff portal to see the bulletins for you."
            ),
            "portal_link": True,
        },
        status=404,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Shared parts ----------------------------------------------------------------------------
def _bulletin_context(staff: StaffMember, found) -> dict:
    versions = queries.versions_of(found)
    url = public_share_url(staff, found)
    version = versions[-1]
    return {
        "bulletin": found,
        "version": version,
        "corrections": versions[1:],
        # Only web addresses are links (the sources are typed by editors).
        "sources": [
            s
            for s in version.sources
            if isinstance(s, dict) and str(s.get("url", "")).startswith(("https://", "http://"))
        ],
        "attachments": queries.attachments_of(found),
        "read_at": queries.read_at(staff, found),
        "share_url": url,
        "share_links": share_links(url),
    }


def public_share_url(staff: StaffMember, found) -> str:
    """The public page of the bulletin with the person's share code, on the public address:
    the page counts the visits the share brings and nothing about the visitors."""
    path = reverse("bulletins:detail", kwargs={"slug": found.slug})
    return f"{settings.PUBLIC_URL}{path}?{urlencode({'s': staff.share_code})}"


def _share(request, staff: StaffMember, found, back: str) -> HttpResponse:
    form = ShareForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "reach/refused.html",
            {"title": _("Nothing was shared"), "message": _("Choose Facebook, Zalo or Copy link.")},
            status=400,
        )
    via = form.cleaned_data["via"]
    events.record_share(staff, found, via=via)
    url = public_share_url(staff, found)
    if via != Via.COPY_LINK:
        return redirect(share_links(url)[via])
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"recorded": True, "url": url})
    messages.success(request, _("Recorded. Copy the link from the box below and paste it."))
    return redirect(f"{back}#chia-se")


def _safe_next(request) -> str | None:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None


def _snippets() -> dict[str, str]:
    """The web-push and Zalo parts of the home page, when the delivery app provides them."""
    found = {}
    for key, name in SNIPPETS.items():
        try:
            select_template([name])
        except TemplateDoesNotExist:
            continue
        found[key] = name
    return found
