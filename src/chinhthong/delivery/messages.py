"""What each Delivery row says, rendered for its recipient: a bulletin (an urgent one by email
at once, any one by web push or Zalo), or the daily digest of the bulletins not yet read.

A batch renders what is the same for everyone once — a bulletin's text, a digest listing the
same bulletins — and puts each person's name and personal signed links in afterwards: tens of
thousands of messages go out in minutes. Links are personal (reach/links.py) and open the
bulletin and record the read; there is never a tracking pixel.
"""

import datetime as dt
from email.utils import formataddr

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import escape
from django.utils.translation import gettext as _

from chinhthong.delivery import digest
from chinhthong.delivery.models import Channel, Delivery, Kind, Status
from chinhthong.delivery.services import bulletin_key
from chinhthong.delivery.transports.base import Message
from chinhthong.reach import links

# Stand-ins put in a rendered text, replaced by each recipient's own values afterwards (the
# transport may do it in a whole MIME message at once: Message.personal). The HTML part has
# marks of its own, whose values are escaped.
NAME, NAME_HTML = "@@ct-name-9f2c@@", "@@ct-name-h-9f2c@@"
LINK, LINK_HTML = "@@ct-link-9f2c-{}@@", "@@ct-link-h-9f2c-{}@@"
UNSUBSCRIBE, UNSUBSCRIBE_HTML = "@@ct-unsub-9f2c@@", "@@ct-unsub-h-9f2c@@"
MESSAGE_ID = "@@ct-mid-9f2c@@"
_IN_PATH = "T0KEN9f2c"
_MESSAGE_ID_SALT = "chinhthong.delivery.message-id"


class NothingToSend(Exception):
    """The row needs no message any more: ``final`` is the status it ends with."""

    def __init__(self, reason: str, *, final: str):
        super().__init__(reason)
        self.reason = reason
        self.final = final


def _mail_domain() -> str:
    return settings.MAIL_FROM.rpartition("@")[2] or "localhost"


def message_id(delivery_id: int) -> str:
    """The Message-ID of a Delivery row's email: the same on every attempt, so a mail store
    that sees it twice can tell, and signed, so a bounce names the row without anyone being
    able to forge one for another row."""
    return f"<ct.{delivery_id}.{_signature(delivery_id)}@{_mail_domain()}>"


def _signature(delivery_id: int) -> str:
    return salted_hmac(_MESSAGE_ID_SALT, str(delivery_id)).hexdigest()[:16]


def delivery_id_from(message_id_value: str) -> int | None:
    """The Delivery row a Message-ID of ours names, or None (not ours, or forged)."""
    value = message_id_value.strip().strip("<>")
    parts = value.split("@", 1)[0].split(".")
    if len(parts) != 3 or parts[0] != "ct" or not parts[1].isdigit():
        return None
    delivery_id = int(parts[1])
    return delivery_id if constant_time_compare(parts[2], _signature(delivery_id)) else None


def public_url(path: str) -> str:
    return f"{settings.PUBLIC_URL}{path}"


def bulletin_page(bulletin) -> str:
    try:
        return public_url(reverse("bulletins:detail", kwargs={"slug": bulletin.slug}))
    except NoReverseMatch:  # the public pages are not mounted: the stable address all the same
        return public_url(f"/ban-tin/{bulletin.slug}/")


def subject_for(title: str, *, urgent: bool, corrected: bool = False) -> str:
    if corrected:
        title = _("[CORRECTED] %(title)s") % {"title": title}
    return _("[URGENT] %(title)s") % {"title": title} if urgent else title


def sender_address() -> str:
    """The From of every message: the site's name and CHINHTHONG_MAIL_FROM."""
    from chinhthong.portal import services as portal

    return formataddr((portal.identity().display_site_name, settings.MAIL_FROM))


class Composer:
    """Messages of one channel for one batch of rows."""

    def __init__(self, channel: str):
        self.channel = channel
        self._bulletin_texts: dict = {}
        self._digest_texts: dict = {}
        self.reminder_texts: dict = {}  # (bulletin, version) -> texts (reminder_messages.py)
        self._digest: digest.DigestBatch | None = None
        self._sender = None
        self._paths: dict[str, str] = {}

    def prepare(self, rows: list[Delivery]) -> None:
        """Read at once what the rows' messages need (digests: who read what, who opted out)."""
        days = {digest.day_of(row.key) for row in rows if row.kind == Kind.DIGEST}
        self._digest = digest.DigestBatch(rows, days) if days else None

    @property
    def sender(self) -> str:
        if self._sender is None:
            self._sender = sender_address()
        return self._sender

    def message_for(self, row: Delivery) -> Message:
        with translation.override(settings.LANGUAGE_CODE):
            if row.kind == Kind.DIGEST:
                return self._digest_message(row)
            if row.kind == Kind.BULLETIN and row.bulletin_id:
                return self._bulletin_message(row)
            if row.kind == Kind.REMINDER and row.bulletin_id:
                from chinhthong.delivery import reminder_messages  # reach/reminders.py's rows

                return reminder_messages.reminder_message(self, row)
        raise NothingToSend(
            _("Nothing is sent for this kind of message."), final=Status.TECHNICAL_FAILURE
        )

    # --- one bulletin ----------------------------------------------------------------------------
    def _bulletin_message(self, row: Delivery) -> Message:
        bulletin = row.bulletin
        # A significant correction is sent under its version's key (services.fan_out).
        corrected = row.key != bulletin_key(bulletin)
        key = (bulletin.pk, row.version, corrected)
        if key not in self._bulletin_texts:
            self._bulletin_texts[key] = self._render_bulletin(bulletin, row.version, corrected)
        subject, text, html = self._bulletin_texts[key]
        link = self.read_link(row.staff, bulletin)
        urgent = bulletin.urgency == "urgent"
        if self.channel != Channel.EMAIL:
            summary = text  # for push and Zalo: the summary, no greeting
            return Message(subject=subject, text=summary, url=link, urgent=urgent)
        return Message(
            subject=subject,
            text=text,
            html=html,
            url=link,
            urgent=urgent,
            headers=self.headers(),
            personal={
                **self.personal(row),
                LINK.format(0): link,
                LINK_HTML.format(0): escape(link),
            },
        )

    def _render_bulletin(self, bulletin, number: int | None, corrected: bool):
        version = version_of(bulletin, number)
        urgent = bulletin.urgency == "urgent"
        subject = subject_for(version.title, urgent=urgent, corrected=corrected)
        if self.channel != Channel.EMAIL:
            return subject, version.summary or version.title, ""
        context = {
            "title": version.title,
            "summary": version.summary,
            "urgent": urgent,
            "corrected": corrected,
            "number": version.number,
            "change_note": version.change_note,
            "name": NAME,
            "link": LINK.format(0),
            "page": bulletin_page(bulletin),
            **common_context(),
        }
        text = render_to_string("delivery/email/bulletin.txt", context)
        context.update(name=NAME_HTML, link=LINK_HTML.format(0))
        html = render_to_string("delivery/email/bulletin.html", context)
        return subject, text, html

    # --- the daily digest -----------------------------------------------------------------------
    def _digest_message(self, row: Delivery) -> Message:
        day = digest.day_of(row.key)
        if self._digest is None:
            self.prepare([row])
        listed = self._digest.unread(row, day)
        key = (day, tuple(b.pk for b in listed))
        if key not in self._digest_texts:
            self._digest_texts[key] = _render_digest(day, listed)
        subject, text, html = self._digest_texts[key]
        unsubscribe = self._link("delivery:unsubscribe", digest.unsubscribe_token(row.staff))
        personal = {
            **self.personal(row),
            UNSUBSCRIBE: unsubscribe,
            UNSUBSCRIBE_HTML: escape(unsubscribe),
        }
        for n, bulletin in enumerate(listed):
            link = self.read_link(row.staff, bulletin)
            personal.update({LINK.format(n): link, LINK_HTML.format(n): escape(link)})
        headers = {
            **self.headers(),
            # RFC 8058: one click (a POST without cookies) unsubscribes from the digest.
            "List-Unsubscribe": f"<{UNSUBSCRIBE}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        return Message(subject=subject, text=text, html=html, headers=headers, personal=personal)

    def headers(self) -> dict[str, str]:
        """An email's headers common to its batch (Message-ID is filled per person)."""
        return {
            "From": self.sender,
            "Message-ID": MESSAGE_ID,
            # RFC 3834: no automatic replies (out-of-office) to a notice.
            "Auto-Submitted": "auto-generated",
        }

    def personal(self, row: Delivery) -> dict[str, str]:
        """What differs per person in an email of a batch: their name and Message-ID."""
        name = row.staff.name
        return {NAME: name, NAME_HTML: escape(name), MESSAGE_ID: message_id(row.pk)}

    def read_link(self, staff, bulletin) -> str:
        """The personal signed link (reach/links.py), its address resolved once a batch."""
        return self._link("reach:read-link", links.token_for(staff, bulletin))

    def _link(self, name: str, token: str) -> str:
        found = self._paths.get(name)
        if found is None:
            found = self._paths[name] = public_url(reverse(name, kwargs={"token": _IN_PATH}))
        return found.replace(_IN_PATH, token)


def _render_digest(day: dt.date, listed) -> tuple[str, str, str]:
    items = []
    for n, bulletin in enumerate(listed):
        version = bulletin.latest_version
        items.append(
            {
                "title": version.title,
                "summary": version.summary,
                "urgent": bulletin.urgency == "urgent",
                "corrected": bulletin.read_from_version > 1,
                "link": LINK.format(n),
                "page": bulletin_page(bulletin),
            }
        )
    shown = day.strftime("%d/%m/%Y")
    subject = _("Bulletins not read yet, %(day)s (%(count)s)") % {
        "day": shown,
        "count": len(items),
    }
    context = {"day": shown, "items": items, "name": NAME, "unsubscribe": UNSUBSCRIBE}
    context.update(common_context())
    text = render_to_string("delivery/email/digest.txt", context)
    for n, item in enumerate(items):
        item["link"] = LINK_HTML.format(n)
    context.update(name=NAME_HTML, unsubscribe=UNSUBSCRIBE_HTML)
    html = render_to_string("delivery/email/digest.html", context)
    return subject, text, html


def common_context() -> dict:
    """What every message's template may name: the sender, the check page, the portal."""
    return {
        "sender": settings.MAIL_FROM,
        "check_url": public_url(reverse("checks:check")),
        "portal_url": settings.PUBLIC_URL + "/",
    }


def version_of(bulletin, number: int | None):
    """Version ``number`` of ``bulletin``, or its latest when not given or gone."""
    versions = bulletin.versions.all()
    found = versions.filter(number=number).first() if number else None
    return found or versions.order_by("-number").first()
