"""Messages the tipline never answers: mail no person wrote (RFC 3834 section 2: automatic
replies, bounces, lists and bulk mail) and mail from the tipline itself, so that two
automatic responders never answer each other in a loop."""

import re
from email.message import EmailMessage

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chinhthong.config.maildir import automatic

REPLY_MARK = "X-Chinhthong-Tipline"  # on every reply: a reply coming back is ours
_BULK = {"bulk", "list", "junk"}
_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)(\+.*)?@", re.I)
# Microsoft's request not to be answered automatically (MS-OXCMAIL 2.2.3.2.14).
_SUPPRESS = {"all", "autoreply", "oof"}
# What the run tells the operator about each kind of message left unanswered.
NOTES = {
    "automatic": _("An automatic message (a bounce or an automatic reply)."),
    "bounce": _("An automatic message (a bounce or an automatic reply)."),
    "list": _("A message from a mailing list or bulk mail."),
    "bulk": _("A message from a mailing list or bulk mail."),
    "no_sender": _("The message has no sender address to answer."),
    "ours": _("A message from the tipline itself."),
}


def header(message: EmailMessage, name: str) -> str:
    """A header's value on one line; '' when missing or unreadable (hostile mail)."""
    try:
        return " ".join(str(message.get(name, "") or "").split())[:2000]
    except Exception:  # the header registry's parsers raise many types on crafted values
        return ""


def why_not_answered(message: EmailMessage, sender: str) -> str:
    """Why ``message`` (from ``sender``, its checked From address) gets no answer, as a code
    for the log; '' when it may be answered."""
    if automatic(message):  # Auto-Submitted other than "no", or a delivery report
        return "automatic"
    if header(message, "List-Id"):
        return "list"
    if header(message, "X-Autoreply") or header(message, "X-Autorespond"):
        return "automatic"
    if header(message, "Precedence").lower() in _BULK:
        return "bulk"
    suppress = {v.strip().lower() for v in header(message, "X-Auto-Response-Suppress").split(",")}
    if suppress & _SUPPRESS:
        return "automatic"
    if header(message, "Return-Path").strip() in ("<>", "< >"):  # a bounce: null envelope
        return "bounce"
    if not sender:
        return "no_sender"
    if _DAEMONS.match(sender):
        return "bounce"
    if header(message, REPLY_MARK) or sender.lower() in ours():
        return "ours"
    return ""


def ours() -> set[str]:
    return {a.lower() for a in (settings.TIPLINE_ADDRESS, settings.MAIL_FROM) if a}
