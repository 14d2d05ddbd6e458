"""What a reminder (reach/reminders.py) and a manager's weekly summary (reach/summaries.py) say.

A reminder row is checked again when it is sent: someone who read the bulletin meanwhile,
left, or whose reminder is of a version since corrected significantly gets nothing. The email's
text is rendered once per bulletin version and batch; each person's name and personal link go
in afterwards, as for the bulletin itself (delivery/messages.py). Web push and Zalo get a short
line and the link, and wait out quiet hours (a reminder is not the urgent message itself).

The weekly summary carries figures only — how many staff lag, never who: their names stay
behind the dashboard's login.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from chinhthong.delivery import messages
from chinhthong.delivery.models import Channel, Delivery, Status
from chinhthong.delivery.transports.base import Message
from chinhthong.reach import events
from chinhthong.reach.dashboards import REGULAR_DAYS


def reminder_message(composer: "messages.Composer", row: Delivery) -> Message:
    bulletin, staff = row.bulletin, row.staff
    if not staff.active:
        raise messages.NothingToSend(
            _("Left the roster before the reminder was sent."), final=Status.PERMANENT_FAILURE
        )
    if row.version and row.version < bulletin.read_from_version:
        raise messages.NothingToSend(
            _("The bulletin was corrected significantly: the reminder of its new version counts."),
            final=Status.PERMANENT_FAILURE,
        )
    if events.has_read(staff, bulletin):
        raise messages.NothingToSend(
            _("Read before the reminder was sent: none was needed."), final=Status.DELIVERED
        )
    texts = composer.reminder_texts
    key = (bulletin.pk, row.version)
    if key not in texts:
        texts[key] = _render_reminder(bulletin, row.version, composer.channel)
    subject, text, html = texts[key]
    link = composer.read_link(staff, bulletin)
    if composer.channel != Channel.EMAIL:
        return Message(subject=subject, text=text, url=link)
    return Message(
        subject=subject,
        text=text,
        html=html,
        url=link,
        headers=composer.headers(),
        personal={
            **composer.personal(row),
            messages.LINK.format(0): link,
            messages.LINK_HTML.format(0): escape(link),
        },
    )


def _render_reminder(bulletin, number, channel: str) -> tuple[str, str, str]:
    version = messages.version_of(bulletin, number)
    subject = _("Reminder: you have not read the urgent bulletin “%(title)s”") % {
        "title": version.title
    }
    if channel != Channel.EMAIL:
        return _("Reminder: urgent bulletin not read"), version.title, ""
    published = formats.date_format(
        timezone.localtime(bulletin.published_at), "SHORT_DATETIME_FORMAT"
    )
    context = {
        "title": version.title,
        "summary": version.summary,
        "published": published,
        "corrected": (number or 1) > 1,
        "name": messages.NAME,
        "link": messages.LINK.format(0),
        "page": messages.bulletin_page(bulletin),
        **messages.common_context(),
    }
    text = render_to_string("delivery/email/reminder.txt", context)
    context.update(name=messages.NAME_HTML, link=messages.LINK_HTML.format(0))
    html = render_to_string("delivery/email/reminder.html", context)
    return subject, text, html


def summary_message(name: str, week: str, units: list) -> Message:
    """A manager's weekly summary: ``units`` are reach.summaries.UnitSummary, ``week`` the
    period shown ("01/12/2026 – 07/12/2026")."""
    context = {
        "name": name,
        "week": week,
        "units": units,
        "lagging": sum(unit.figures.lagging for unit in units),
        "regular_days": REGULAR_DAYS[7],
        **messages.common_context(),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Weekly summary of staff reach, %(week)s") % {"week": week}
        text = render_to_string("delivery/email/summary.txt", context)
        html = render_to_string("delivery/email/summary.html", context)
    headers = {"From": messages.sender_address(), "Auto-Submitted": "auto-generated"}
    return Message(subject=subject, text=text, html=html, headers=headers)


def dashboard_link(unit) -> str:
    path = reverse("reach:dashboard", kwargs={"code": unit.code})
    return messages.public_url(f"{path}?days=7")
