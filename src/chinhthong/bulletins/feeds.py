"""The published bulletins as RSS 2.0 and Atom 1.0 feeds (Django's syndication framework), and
the urgent ones as an Atom index of CAP 1.2 alerts.

Each bulletin keeps one id for ever (its page's address: RSS guid, Atom id); a correction
changes its date of update (Atom updated) and its text, never its id. Feeds are written in
Vietnamese, the language of the bulletins, whatever the reader's client asks for.
"""

import logging

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chinhthong.bulletins import cap, queries
from chinhthong.clients.ratelimit import limited

log = logging.getLogger(__name__)


class _Bulletins(Feed):
    language = "vi"
    feed_name = "bulletins:rss"

    def __call__(self, request, *args, **kwargs):
        with translation.override("vi"):
            response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=300"
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def _identity(self):
        from chinhthong.portal import services as portal

        return portal.identity()

    def title(self):
        return _("Bulletins — %(site)s") % {"site": self._identity().display_site_name}

    def description(self):
        return _("Official bulletins, each signed; the newest first.")

    subtitle = description

    def link(self):
        return queries.public_url(reverse("bulletins:index"))

    def feed_url(self):
        return queries.public_url(reverse(self.feed_name))

    def feed_guid(self):
        return self.feed_url()

    def author_name(self):
        identity = self._identity()
        return identity.display_name or identity.display_site_name

    def items(self):
        return queries.latest_for_feed()

    def item_title(self, page: queries.BulletinPage):
        return page.latest.title

    def item_description(self, page: queries.BulletinPage):
        parts = []
        if page.corrected_at:
            parts.append(
                format_html(
                    "<p><em>{}</em></p>",
                    _("Corrected (version %(number)s).") % {"number": page.latest.number},
                )
            )
        if page.latest.summary:
            parts.append(format_html("<p><strong>{}</strong></p>", page.latest.summary))
        parts.append(page.latest.body_html)  # sanitised when it was rendered (rendering.py)
        return "\n".join(str(p) for p in parts)

    def item_link(self, page: queries.BulletinPage):
        return queries.page_url(page.bulletin)

    def item_guid(self, page: queries.BulletinPage):
        return queries.page_url(page.bulletin)

    item_guid_is_permalink = True

    def item_pubdate(self, page: queries.BulletinPage):
        return page.bulletin.published_at

    def item_updateddate(self, page: queries.BulletinPage):
        return page.versions[0].published_at

    def item_categories(self, page: queries.BulletinPage):
        return list(page.bulletin.tags or [])

    def item_author_name(self, page: queries.BulletinPage):
        return self.author_name()


class RssFeed(_Bulletins):
    feed_type = Rss201rev2Feed
    feed_name = "bulletins:rss"


class AtomFeed(_Bulletins):
    feed_type = Atom1Feed
    feed_name = "bulletins:atom"


class _CapIndexFeed(Atom1Feed):
    """Atom, each entry also linking to its CAP alert (type application/cap+xml), as CAP
    aggregators read an index of alerts."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement(
            "link", "", {"rel": "alternate", "type": "application/cap+xml", "href": item["cap"]}
        )


class CapIndex(_Bulletins):
    feed_type = _CapIndexFeed
    feed_name = "bulletins:cap"

    def title(self):
        return _("Urgent bulletins (CAP 1.2 alerts) — %(site)s") % {
            "site": self._identity().display_site_name
        }

    def description(self):
        return _("Urgent official bulletins, each as a CAP 1.2 alert.")

    subtitle = description

    def items(self):
        found = []
        for page in queries.latest_for_feed(urgent_only=True):
            try:
                cap.alert_xml(page)
            except cap.InvalidAlert:
                continue  # logged; withheld until it is valid
            found.append(page)
        return found

    def item_description(self, page: queries.BulletinPage):
        return escape(page.latest.summary or page.latest.title)

    def item_extra_kwargs(self, page: queries.BulletinPage):
        return {"cap": queries.public_url(cap.alert_path(page.bulletin))}


# The views: read-only, counted as pages against each client's rate limit.
rss = limited("pages")(require_safe(RssFeed()))
atom = limited("pages")(require_safe(AtomFeed()))
cap_index = limited("pages")(require_safe(CapIndex()))
