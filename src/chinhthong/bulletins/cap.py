"""Urgent bulletins as CAP 1.2 alerts (OASIS Common Alerting Protocol), for the alerting
systems, aggregators and sirens that read it.

Each signed version of an urgent bulletin is one alert: the first is an Alert, a correction an
Update that references every earlier one. Alerts are built with lxml and validated against the
standard's own schema (data/CAP-v1.2.xsd, see data/SOURCES.md) before anyone is served one: an
alert the schema refuses is logged and withheld, never served broken.
"""

import functools
import logging
from importlib import resources
from urllib.parse import urlsplit

import xmlschema
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from lxml import etree

from chinhthong.bulletins import diffs, queries
from chinhthong.verify.text import fold

log = logging.getLogger(__name__)
NS = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml; charset=utf-8"
HEADLINE_CHARS = 160  # CAP 1.2 §3.2.2: "should be less than 160 characters"

# Topic words (without diacritics) -> CAP category; the first tag that names one decides,
# "Other" when none does.
CATEGORIES = (
    (("y te", "dich", "covid", "benh", "tiem", "vaccine", "vac xin", "suc khoe"), "Health"),
    (("bao", "mua", "lu", "thoi tiet", "ret", "nang nong", "sat lo"), "Met"),
    (("chay", "no", "pccc"), "Fire"),
    (("giao thong", "duong", "cau", "pha", "tau"), "Transport"),
    (("dien", "nuoc", "vien thong", "mang"), "Infra"),
    (("moi truong", "o nhiem", "rac"), "Env"),
    (("an ninh", "toi pham", "khung bo"), "Security"),
    (("lua dao", "tin gia", "an toan", "canh bao", "mao danh"), "Safety"),
    (("cuu ho", "cuu nan", "tim kiem"), "Rescue"),
)


class InvalidAlert(Exception):
    """The alert built does not satisfy the CAP 1.2 schema (the reasons are in the message)."""


@functools.cache
def schema() -> xmlschema.XMLSchema10:
    path = resources.files("chinhthong.bulletins").joinpath("data/CAP-v1.2.xsd")
    with resources.as_file(path) as file:
        return xmlschema.XMLSchema10(str(file))


def sender() -> str:
    """Who sends the alerts: the public site's host name (CAP asks for a globally unique
    originator, "e.g. based on an Internet domain name")."""
    return urlsplit(queries.public_url("/")).hostname or "localhost"


def identifier(bulletin, number: int) -> str:
    """Stable per bulletin and version: "<slug>.v<number>" (slugs have no dots)."""
    return f"{bulletin.slug}.v{number}"


def cap_time(moment) -> str:
    """A CAP date-time: local time (Asia/Ho_Chi_Minh) with its offset, "+07:00"."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def category(tags) -> str:
    for tag in tags or ():
        words = f" {fold(tag)} "
        for keys, name in CATEGORIES:
            if any(f" {key} " in words for key in keys):
                return name
    return "Other"


def alert_path(bulletin, number: int | None = None) -> str:
    if number is None:
        return reverse("bulletins:cap-alert", kwargs={"slug": bulletin.slug})
    return reverse("bulletins:cap-version", kwargs={"slug": bulletin.slug, "number": number})


def alert_xml(page: queries.BulletinPage, number: int | None = None) -> bytes:
    """The CAP alert of version ``number`` (the latest when None) of an urgent bulletin,
    validated; raises InvalidAlert (logged) when the schema refuses it."""
    try:
        with translation.override("vi"):
            root = _alert(page, number)
    except ValueError as exc:  # text lxml cannot hold (a control character)
        log.error("CAP alert of %s could not be built: %s", page.bulletin.slug, exc)
        raise InvalidAlert(str(exc)) from exc
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problems = [str(e.reason or e) for e in schema().iter_errors(body)]
    if problems:
        log.error("CAP alert of %s refused by the schema: %s", page.bulletin.slug, problems)
        raise InvalidAlert("; ".join(problems))
    return body


def _alert(page: queries.BulletinPage, number: int | None):
    versions = sorted(page.versions, key=lambda v: v.number)
    chosen = versions[-1] if number is None else next(v for v in versions if v.number == number)
    earlier = [v for v in versions if v.number < chosen.number]
    bulletin, version = page.bulletin, chosen.version
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _add(root, "identifier", identifier(bulletin, chosen.number))
    _add(root, "sender", sender())
    _add(root, "sent", cap_time(chosen.published_at))
    _add(root, "status", "Actual")
    _add(root, "msgType", "Update" if earlier else "Alert")
    _add(root, "scope", "Public")
    if earlier and version.change_note:
        _add(root, "note", version.change_note)
    if earlier:
        _add(
            root,
            "references",
            " ".join(
                f"{sender()},{identifier(bulletin, v.number)},{cap_time(v.published_at)}"
                for v in earlier
            ),
        )
    _info(root, page, chosen)
    return root


def _info(root, page: queries.BulletinPage, chosen) -> None:
    from chinhthong.portal import services as portal

    bulletin, version = page.bulletin, chosen.version
    identity = portal.identity()
    info = _add(root, "info")
    _add(info, "language", "vi-VN")
    _add(info, "category", category(bulletin.tags))
    _add(info, "event", bulletin.tags[0] if bulletin.tags else _("Urgent official information"))
    # An urgent bulletin asks people to act now; it states what happened (Observed); it says
    # nothing of severity, and CAP has a value for that.
    _add(info, "urgency", "Immediate")
    _add(info, "severity", "Unknown")
    _add(info, "certainty", "Observed")
    _add(info, "effective", cap_time(chosen.published_at))
    _add(info, "senderName", identity.name or identity.site_name or sender())
    _add(info, "headline", Truncator(version.title).chars(HEADLINE_CHARS))
    description = "\n\n".join(
        p for p in (version.summary, diffs.plain_text(version.body_html)) if p
    )
    _add(info, "description", description or version.title)
    _add(info, "web", queries.page_url(bulletin))
    contact = ", ".join(c for c in (identity.phone, identity.email) if c)
    if contact:
        _add(info, "contact", contact)
    area = _add(info, "area")
    _add(area, "areaDesc", area_description(bulletin))


def area_description(bulletin) -> str:
    """Who the bulletin is for: its units, or the top units of the tree for the whole
    province."""
    from chinhthong.reach.models import Unit

    if bulletin.whole_province:
        names = list(
            Unit.objects.filter(parent__isnull=True, active=True).values_list("name", flat=True)
        )
        return "; ".join(names) or _("The whole province")
    return "; ".join(bulletin.audience.values_list("name", flat=True)) or _("The whole province")


def _add(parent, name: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        element.text = text
    return element
