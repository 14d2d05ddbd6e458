"""The tipline's answer, in the site's language (Vietnamese): the verdict in plain words, its
reasons, the real official channel (the one imitated, or the one matched), what to do, and,
for a message forwarded in the text, that a quoted sender can only be a claim. When nothing
was forwarded: how to forward a message. Plain text only: it is read on phones and in every
mail program, and quotes nothing a forger wrote as markup.

Headers (RFC 3834): Auto-Submitted: auto-replied, In-Reply-To and References to the forward,
our own mark (tipline_screening.REPLY_MARK) so that a reply coming back is never answered,
and X-Auto-Response-Suppress so that Exchange sends no out-of-office to it.
"""

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chinhthong.checks import services as checks
from chinhthong.delivery.transports.base import Message
from chinhthong.gateway.models import Forwarded
from chinhthong.gateway.tipline_forwarded import Forward
from chinhthong.gateway.tipline_screening import REPLY_MARK, header
from chinhthong.verify.results import RANK, Result

MAX_REASONS = 10
MAX_CHANNELS = 5
MAX_SUBJECT = 150
MAX_REFERENCES = 20
_MESSAGE_ID = re.compile(r"<[^<>\s\"\\]{1,250}>")

# The same words as the check page's banner (checks/templates/checks/check.html).
HEADLINES = {
    "official": _("Official"),
    "impersonation": _("Impersonation — not official"),
    "malicious": _("Dangerous — on a blocklist"),
    "suspicious": _("Suspicious — be careful"),
    "unverified": _("Cannot be verified — do not trust it yet"),
    "unknown": _("Unknown — not an official channel"),
}
MEANINGS = {
    "official": _(
        "The sender is an official channel: the authentication results that the receiving "
        "mail server recorded in the message you attached confirm it."
    ),
    "impersonation": _("This message pretends to come from an official body. It does not."),
    "malicious": _("This message holds a link or a file known to be dangerous."),
    "suspicious": _("Something in this message is unsafe or unusual."),
    "unverified": _(
        "The message claims to come from an official address, but nothing proves that it does."
    ),
    "unknown": _(
        "The sender is not in the registry of official channels. That alone does not make the "
        "message false, but do not take it as coming from an official body."
    ),
}


@dataclass(frozen=True)
class ChannelLine:
    name: str
    agency: str
    identifier: str
    url: str
    page: str  # its page in the directory


def verdict_key(result: Result) -> str:
    return "unverified" if checks.unverified_claim(result) else str(result.verdict)


def compose(original: EmailMessage, forward: Forward, result: Result) -> Message:
    """The answer to ``original`` (the forward) about ``result`` (the forwarded message)."""
    key = verdict_key(result)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **_common(),
            "headline": str(HEADLINES[key]),
            "meaning": str(MEANINGS[key]),
            "verdict": key,
            "sender": forward.sender,
            "subject": forward.subject,
            "quoted": forward.kind == Forwarded.QUOTED,
            "reasons": reasons(result),
            "channels": channels(result),
            "danger": key in ("impersonation", "malicious", "suspicious"),
        }
        text = render_to_string("gateway/tipline_reply.txt", context)
        subject = _("Re: %(subject)s — check result: %(verdict)s") % {
            "subject": _subject(original),
            "verdict": context["headline"],
        }
    return _message(original, str(subject), text, verdict=str(result.verdict))


def compose_how_to(original: EmailMessage) -> Message:
    """The answer to a mail that forwarded nothing: how to forward one."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("gateway/tipline_how_to.txt", _common())
        subject = _("Re: %(subject)s — how to have a message checked") % {
            "subject": _subject(original)
        }
    return _message(original, str(subject), text, verdict="")


def _common() -> dict:
    from chinhthong.portal import services as portal

    return {
        "site": portal.identity().display_site_name,
        "address": settings.TIPLINE_ADDRESS,
        "report_url": settings.PUBLIC_URL + reverse("reports:report"),
        "check_url": settings.PUBLIC_URL + reverse("checks:check"),
        "directory_url": settings.PUBLIC_URL + reverse("registry:directory"),
    }


def reasons(result: Result) -> list[str]:
    """The reasons that tell the most first (of the worst parts), each once, at most
    MAX_REASONS; the summary of what was checked last."""
    found: list[str] = []
    parts = sorted(result.parts, key=lambda p: -RANK[p.verdict])
    items = [r for p in parts if RANK[p.verdict] >= RANK["suspicious"] for r in p.reasons]
    items += [r for r in result.reasons if r.code != "email_checked"]
    items += [r for p in parts if RANK[p.verdict] < RANK["suspicious"] for r in p.reasons]
    items += [r for r in result.reasons if r.code == "email_checked"]
    for item in items:
        text = " ".join(checks.render_reason(item).split())
        if text not in found:
            found.append(text)
    if len(found) > MAX_REASONS:
        found = [*found[: MAX_REASONS - 1], found[-1]]  # keep "what was checked"
    return found


def channels(result: Result) -> list[ChannelLine]:
    """The official channels involved: those imitated first, then those matched."""
    refs = [result.lookalike_of, *(p.lookalike_of for p in result.parts)]
    if str(result.verdict) == "official":
        refs = [result.channel, *refs]
    lines, seen = [], set()
    for ref in refs:
        if ref is None or (ref.slug, ref.identifier) in seen:
            continue
        seen.add((ref.slug, ref.identifier))
        page = ""
        if ref.slug:
            page = settings.PUBLIC_URL + reverse("registry:channel", kwargs={"slug": ref.slug})
        lines.append(ChannelLine(ref.name, ref.agency_name, ref.identifier, ref.url, page))
    return lines[:MAX_CHANNELS]


def _subject(original: EmailMessage) -> str:
    subject = header(original, "Subject") or str(_("(no subject)"))
    return subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 1] + "…"


def _message(original: EmailMessage, subject: str, text: str, *, verdict: str) -> Message:
    domain = settings.TIPLINE_ADDRESS.rpartition("@")[2] or "localhost"
    headers = {
        "From": formataddr((_sender_name(), settings.TIPLINE_ADDRESS)),
        "Message-ID": make_msgid("tipline", domain=domain),
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        REPLY_MARK: verdict or "how-to",
    }
    own = _MESSAGE_ID.search(header(original, "Message-ID"))
    if own:
        earlier = _MESSAGE_ID.findall(header(original, "References"))[-(MAX_REFERENCES - 1) :]
        headers["In-Reply-To"] = own.group()
        headers["References"] = " ".join([*earlier, own.group()])
    return Message(subject=" ".join(subject.split()), text=text, headers=headers)


def _sender_name() -> str:
    from chinhthong.portal import services as portal

    with translation.override(settings.LANGUAGE_CODE):
        return str(_("%(site)s — message check") % {"site": portal.identity().display_site_name})
