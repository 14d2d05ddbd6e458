"""Template tags of the public site: contacts as links, a result's preview and share buttons."""

import re

from django import template

from chinhthong.checks.services import VERDICT_LABELS
from chinhthong.portal import services

register = template.Library()


@register.filter
def tel_href(number: str) -> str:
    """A telephone number as written ("0203 3835 444") as the tel: address phones dial."""
    digits = re.sub(r"[^\d+]", "", number or "")
    return f"tel:{digits}" if digits else ""


@register.filter
def verdict_label(verdict) -> str:
    return str(VERDICT_LABELS.get(str(verdict), verdict))


@register.inclusion_tag("portal/share.html", takes_context=True)
def share_buttons(context) -> dict:
    """Zalo, Facebook and copy-link for the page's own address (a result checked by GET)."""
    url = context["request"].build_absolute_uri()
    return {"url": url, "links": services.share_links(url)}


@register.inclusion_tag("portal/result_meta.html", takes_context=True)
def result_meta(context) -> dict:
    """Open Graph and Twitter preview tags of a result: its verdict, what was checked and the
    first reason, so that a shared link says the answer before anyone opens it."""
    result, reasons = context["result"], context.get("reasons") or []
    identity = context.get("site_identity")
    return {
        "url": context["request"].build_absolute_uri(),
        "verdict": verdict_label(result.verdict),
        "checked": result.input,
        "reason": reasons[0] if reasons else "",
        "image": _absolute(context["request"], identity.emblem_url) if identity else "",
        "site_identity": identity,
    }


@register.simple_tag(takes_context=True)
def absolute(context, path: str) -> str:
    """``path`` as a full address (previews need one), or "" for none."""
    return _absolute(context.get("request"), path)


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if path and request is not None else ""
