"""What the portal's channel snippets show (delivery/_push_subscribe.html, _zalo_link.html,
_pwa_head.html), read for the signed-in staff member so that a page includes them with no
help from its view."""

from django import template
from django.conf import settings
from django.middleware.csrf import get_token

from chinhthong.delivery import push_views, vapid, zalo, zalo_webhook

register = template.Library()


def _staff(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    staff = getattr(user, "staff_member", None)
    return staff if staff is not None and staff.active else None


@register.simple_tag(takes_context=True)
def push_state(context) -> dict:
    """Whether web push can be offered here, with the key and addresses the script needs."""
    staff = _staff(context)
    if staff is None or not vapid.available():
        return {"offered": False}
    return {
        "offered": True,
        "public_key": vapid.public_key(),
        "csrf_token": get_token(context["request"]),
        "subscriptions": staff.push_subscriptions.count(),
        **push_views.portal_urls(),
    }


@register.simple_tag(takes_context=True)
def zalo_link_state(context) -> dict:
    """Whether the staff member's Zalo account is linked, and their current code if any."""
    staff = _staff(context)
    if staff is None or not zalo.credentials_set():
        return {"offered": False}
    request = context["request"]
    return {
        "offered": True,
        "linked": bool(staff.zalo_id),
        "code": zalo_webhook.current_code(staff),
        "oa_url": settings.ZALO_OA_URL,
        "next": request.get_full_path(),
    }


@register.simple_tag
def pwa_urls() -> dict:
    return push_views.portal_urls()
