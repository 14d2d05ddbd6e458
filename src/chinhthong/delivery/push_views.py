"""The staff portal as an installable web app, and the channels a staff member sets up there:
the web app manifest and the service worker (both under /cong-chuc/, the portal's scope), turning
web push on and off for this browser (JSON, for push-subscribe.js), and a Zalo linking code."""

import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from chinhthong.clients.ratelimit import limited
from chinhthong.config import safe_json
from chinhthong.config.refusals import Refused
from chinhthong.delivery import push, zalo, zalo_webhook
from chinhthong.portal import services as portal
from chinhthong.reach.models import StaffMember

SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "chinhthong" / "push-sw.js"
MAX_SUBSCRIPTION_BYTES = 4 * 1024
THEME_COLOUR = "#a4161a"  # the shield of the site's icon (static/chinhthong/favicon.svg)


def staff_of(request) -> StaffMember:
    """The active staff member signed in; 404 for anyone else (a missing page and a forbidden
    one answer alike)."""
    user = request.user
    staff = getattr(user, "staff_member", None) if user.is_authenticated else None
    if staff is None or not staff.active:
        raise Http404
    return staff


@cache
def _service_worker_source() -> bytes:
    return SERVICE_WORKER.read_bytes()


@require_GET
@limited("pages")
@cache_control(no_cache=True, max_age=0)
def service_worker(request):
    """Served from /cong-chuc/ so that its scope covers the whole portal; browsers check it
    for updates on every visit (no-cache)."""
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = reverse("reach:home")
    return response


@require_GET
@limited("pages")
@cache_control(public=True, max_age=3600)
def manifest(request):
    """The web app manifest: the portal installs as an app named in Vietnamese, opening on the
    portal's home page, with the site's shield as its icon."""
    home = reverse("reach:home")
    icons = [
        {"src": static("chinhthong/pwa-icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("chinhthong/pwa-icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("chinhthong/pwa-icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static("chinhthong/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    # In the installation's language whatever the browser asks: the installed app's name.
    with translation.override(settings.LANGUAGE_CODE):
        site = portal.identity().display_site_name
        document = {
            "id": home,
            "name": f"{_('Staff portal')} · {site}",
            "short_name": _("Staff portal"),
            "description": _(
                "Official bulletins every day for cadres, civil servants, public employees "
                "and workers."
            ),
            "lang": settings.LANGUAGE_CODE,
            "dir": "ltr",
            "start_url": home,
            "scope": home,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME_COLOUR,
            "icons": icons,
        }
    return HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/manifest+json"
    )


def _json_body(request) -> dict:
    try:
        data = safe_json.loads(request.body)
    except safe_json.NotJSON as exc:
        raise Refused(_("The request is not valid JSON."), code="not_json") from exc
    if not isinstance(data, dict):
        raise Refused(_("The request is not valid JSON."), code="not_json")
    return data


def _answer(call) -> JsonResponse:
    try:
        return JsonResponse(call())
    except Refused as exc:
        return JsonResponse({"error": exc.message, "code": exc.code}, status=exc.status)


@require_POST
@limited("pages", max_body=MAX_SUBSCRIPTION_BYTES)
def subscribe(request):
    """Turn web push on for this browser: the body is PushSubscription.toJSON()."""
    staff = staff_of(request)

    def call():
        data = _json_body(request)
        keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
        push.subscribe(
            staff,
            endpoint=data.get("endpoint"),
            p256dh=keys.get("p256dh"),
            auth=keys.get("auth"),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return {"subscribed": True}

    return _answer(call)


@require_POST
@limited("pages", max_body=MAX_SUBSCRIPTION_BYTES)
def unsubscribe(request):
    """Turn web push off for this browser (its endpoint in the body)."""
    staff = staff_of(request)

    def call():
        data = _json_body(request)
        push.unsubscribe(staff, endpoint=data.get("endpoint"))
        return {"subscribed": False}

    return _answer(call)


@login_required
@require_POST
@limited("pages")
def zalo_code(request):
    """A new Zalo linking code for the staff member; back to the page they came from."""
    staff = staff_of(request)
    if not zalo.credentials_set():
        raise Http404
    zalo_webhook.new_link_code(staff)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("reach:home")
    return redirect(f"{back}#zalo-link")


def portal_urls() -> dict:
    """The addresses the snippets and their script use."""
    return {
        "service_worker": reverse("delivery:service-worker"),
        "scope": reverse("reach:home"),
        "subscribe": reverse("delivery:push-subscribe"),
        "unsubscribe": reverse("delivery:push-unsubscribe"),
        "manifest": reverse("delivery:manifest"),
    }
