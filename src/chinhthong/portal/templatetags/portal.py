"""Template tags of the public site: contacts as links, phone numbers as Vietnamese readers
write them, a result's preview and share buttons."""

import unicodedata

from django import template
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chinhthong.checks.services import VERDICT_LABELS
from chinhthong.portal import services
from chinhthong.verify import canonical, phones
from chinhthong.verify.canonical import InvalidIdentifier

register = template.Library()

# A preview repeats what was checked only when it is one identifier, shortened to this many
# characters. A message or an email is never repeated: anyone could otherwise make a Facebook or
# Zalo preview that shows a scam text under the province's name.
PREVIEW_ITEM_CHARS = 60
ITEM_KINDS = ("url", "domain", "address", "phone")
PREVIEW_TITLES = {
    "text": gettext_lazy("Result of checking a message: %(verdict)s"),
    "email": gettext_lazy("Result of checking an email: %(verdict)s"),
    "address": gettext_lazy("Result of checking a sender's address: %(verdict)s"),
    "phone": gettext_lazy("Result of checking a phone number: %(verdict)s"),
}
LINK_TITLE = gettext_lazy("Result of checking a link: %(verdict)s")

# What the share box asks of the reader, by verdict: an official result helps others find the
# real channel; a fake or dangerous one is a warning not to forward it; anything else is an
# answer to pass on, with no judgement the verdict does not make.
SHARE_ADVICE = {
    "official": gettext_lazy(
        "Share this result so that others know the official channel and can tell it from "
        "look-alikes."
    ),
    "impersonation": gettext_lazy(
        "Send this result to whoever sent it to you, and warn others not to forward it."
    ),
    "malicious": gettext_lazy(
        "Send this result to whoever sent it to you, and warn others not to forward it."
    ),
}
NEUTRAL_ADVICE = gettext_lazy(
    "Send this result to whoever asked you about it, so that they can see the answer and why."
)


# --- phone numbers --------------------------------------------------------------------------
def _canonical_phone(value: str) -> str:
    """The canonical number (+842033835444, 113), or "" when ``value`` is not a number."""
    try:
        return canonical.phone(value or "")
    except InvalidIdentifier:
        return ""


@register.filter
def phone(value: str) -> str:
    """A telephone number as Vietnamese readers write it ("0203.3835.444", "+842033835444" ->
    "0203 3835 444"); the text as typed when it is not a valid number."""
    number = _canonical_phone(value)
    return phones.readable(number) if number else (value or "")


@register.filter
def tel_href(value: str) -> str:
    """The tel: address phones dial for a number as written ("tel:+842033835444"), or "" when
    it is not a valid number."""
    number = _canonical_phone(value)
    return f"tel:{number}" if number else ""


@register.filter
def phone_link(value: str) -> str:
    """A number as a tap-to-call link showing its readable form; the text as typed, not a
    link, when it is not a valid number."""
    href = tel_href(value)
    if not href:
        return value or ""
    return format_html('<a class="phone" href="{}">{}</a>', href, phone(value))


# --- verdicts, previews and sharing ---------------------------------------------------------
@register.filter
def verdict_label(verdict) -> str:
    return str(VERDICT_LABELS.get(str(verdict), verdict))


def preview_item(result) -> str:
    """What a preview may repeat of the input: one identifier, shortened; "" for a message, an
    email, or anything with spaces or invisible characters (words, a display name)."""
    if result.kind not in ITEM_KINDS:
        return ""
    text = result.input.strip()
    if result.kind == "phone" and _canonical_phone(text):
        return phone(text)
    if not text or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in text):
        return ""
    return Truncator(text).chars(PREVIEW_ITEM_CHARS)


def preview_title(result) -> str:
    verdict = verdict_label(result.verdict)
    item = preview_item(result)
    if item:
        return _("%(verdict)s: %(item)s") % {"verdict": verdict, "item": item}
    return str(PREVIEW_TITLES.get(result.kind, LINK_TITLE)) % {"verdict": verdict}


def _imitated(result) -> str:
    """The channel or agency a look-alike imitates, as the registry names it."""
    found = result.lookalike_of
    if found is None:
        return ""
    if found.slug and found.agency_name:
        return f"{found.name} ({found.agency_name})"
    return found.agency_name or found.name


def preview_description(result, reasons) -> str:
    """The first reason for one identifier; for anything else only what the registry says (the
    channel imitated), never the input's words."""
    if preview_item(result):
        return str(reasons[0]) if reasons else ""
    said = []
    imitated = _imitated(result)
    if imitated:
        said.append(_("It imitates %(name)s.") % {"name": imitated})
    said.append(_("Open the result to see what was found and why."))
    return " ".join(said)


@register.inclusion_tag("portal/share.html", takes_context=True)
def share_buttons(context) -> dict:
    """Zalo, Facebook and copy-link for the page's own address (a result checked by GET), with
    advice that follows the verdict."""
    url = context["request"].build_absolute_uri()
    result = context.get("result")
    verdict = str(result.verdict) if result is not None else ""
    return {
        "url": url,
        "links": services.share_links(url),
        "advice": SHARE_ADVICE.get(verdict, NEUTRAL_ADVICE),
        "heading": _("Share this result"),
        "link_label": _("Link to this result"),
    }


@register.inclusion_tag("portal/result_meta.html", takes_context=True)
def result_meta(context) -> dict:
    """Open Graph and Twitter preview tags of a result: its verdict and, for one identifier,
    what was checked and the first reason, so that a shared link says the answer before anyone
    opens it."""
    result, reasons = context["result"], context.get("reasons") or []
    identity = context.get("site_identity")
    return {
        "url": context["request"].build_absolute_uri(),
        "title": preview_title(result),
        "description": preview_description(result, reasons),
        "image": _absolute(context["request"], identity.emblem_url) if identity else "",
        "site_identity": identity,
    }


@register.simple_tag(takes_context=True)
def absolute(context, path: str) -> str:
    """``path`` as a full address (previews need one), or "" for none."""
    return _absolute(context.get("request"), path)


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if path and request is not None else ""
