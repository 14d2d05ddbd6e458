"""Reading what a registered channel publishes — an RSS or Atom feed, or a web page — into
plain, bounded entries, and the key that makes the same item from several feeds one.

Everything here is hostile input: text is stripped of HTML (nh3), of control and invisible
characters, put on one line and capped; links are kept only when they are http(s); a feed that
declares XML entities is refused before any parser sees it (the "billion laughs" and its
quadratic cousin: feedparser's fallback parser would expand a declared entity as often as it is
used), and feedparser is handed bytes, never an address or a file name, so it fetches nothing.
"""

import calendar
import codecs
import datetime as dt
import hashlib
import html
import io
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

import feedparser
import lxml.html
import nh3
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from chinhthong.config.validators import ONE_LINE_INVISIBLE
from chinhthong.verify import canonical

TITLE_MAX = 300  # a bulletin's title
SUMMARY_MAX = 1000  # a bulletin's summary
LINK_MAX = 1000
KEY_MAX = 300
MAX_ENTRIES = 100  # taken from one feed in one poll, in the feed's order (newest first)
# Query parameters that say where a click came from, not what it leads to.
TRACKING_PARAMETERS = {
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "zarsrc", "gidzl", "fb_action_ids", "fb_action_types", "fb_ref",
    "fb_source", "ref_src", "spm",
}  # fmt: skip
_PROLOG_END = re.compile(rb"<[A-Za-z]")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)


class ParseError(Exception):
    """What was fetched is not a feed or page that can be read; the message says why."""


@dataclass(frozen=True)
class Entry:
    title: str
    summary: str
    link: str
    published: dt.datetime | None = None


# --- text ------------------------------------------------------------------------------------
def plain_text(value: str, limit: int) -> str:
    """``value`` (HTML or text) as one line of visible plain text of at most ``limit``
    characters: tags dropped (script and style with their content), entities decoded,
    control, invisible and unassigned characters removed."""
    text = html.unescape(nh3.clean(value or "", tags=set()))
    text = ONE_LINE_INVISIBLE.sub(" ", unicodedata.normalize("NFC", text))
    text = "".join(ch for ch in text if ch.isascii() or unicodedata.category(ch) != "Cn")
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def clean_link(value: str, base: str = "") -> str:
    """An http(s) link with its host canonical, or "" (another scheme, no host, too long,
    invisible characters)."""
    value = (value or "").strip()
    if not value or ONE_LINE_INVISIBLE.search(value):
        return ""
    try:
        link = canonical.canonical_url(urljoin(base, value) if base else value)
    except (canonical.InvalidIdentifier, ValueError):
        return ""
    link = link.split("#", 1)[0]
    return link if len(link) <= LINK_MAX else ""


def item_key(link: str, title: str, summary: str) -> str:
    """The same item, whichever feed carries it: its link without tracking parameters,
    scheme, fragment, leading "www." and trailing slash, in lower case; without a link, a hash
    of its title and text with case and spacing ignored."""
    if link:
        parts = urlsplit(link)
        host = (parts.hostname or "").removeprefix("www.")
        if parts.port and parts.port not in (80, 443):
            host = f"{host}:{parts.port}"
        query = sorted(
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if not name.lower().startswith("utm_") and name.lower() not in TRACKING_PARAMETERS
        )
        path = ONE_LINE_INVISIBLE.sub("", unquote(parts.path)).rstrip("/")  # %00 is no key
        key = f"{host}{path}" + (f"?{urlencode(query)}" if query else "")
        key = unicodedata.normalize("NFC", key).casefold()
        if len(key) + 5 <= KEY_MAX:
            return f"link:{key}"
        return "link-sha256:" + hashlib.sha256(key.encode()).hexdigest()
    text = " ".join(unicodedata.normalize("NFC", f"{title}\n{summary}").casefold().split())
    return "text-sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _entry(title: str, summary: str, link: str, published=None) -> Entry | None:
    title, summary = plain_text(title, TITLE_MAX), plain_text(summary, SUMMARY_MAX)
    if not title and summary:
        title = plain_text(summary, 120)
    if not title:
        return None
    return Entry(title=title, summary=summary, link=link, published=published)


# --- feeds -----------------------------------------------------------------------------------
def refuse_entity_declarations(data: bytes) -> None:
    """Feeds never need to declare XML entities; a document that does is not read."""
    prolog = data[: m.start()] if (m := _PROLOG_END.search(data)) else data
    if _ENTITY_DECLARATION.search(prolog):
        raise ParseError(
            _("The feed declares XML entities, which feeds do not need; it was not read.")
        )


def parse_feed(data: bytes, *, url: str, content_type: str = "") -> list[Entry]:
    """The entries of an RSS or Atom feed, at most MAX_ENTRIES of them."""
    refuse_entity_declarations(data)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=True, resolve_relative_uris=True
    )
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise ParseError(
            _("This is not an RSS or Atom feed (%(problem)s).")
            % {"problem": plain_text(str(problem or _("no feed element")), 200)}
        )
    entries = []
    for raw in parsed.entries[:MAX_ENTRIES]:
        summary = raw.get("summary") or raw.get("description") or ""
        link = clean_link(raw.get("link", ""), url)
        when = _published(raw.get("published_parsed") or raw.get("updated_parsed"))
        entry = _entry(raw.get("title", ""), summary, link, when)
        if entry is not None:
            entries.append(entry)
    return entries


def _published(parsed) -> dt.datetime | None:
    """feedparser's UTC time tuple as an aware time, if it is a plausible one."""
    if not parsed:
        return None
    try:
        when = dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None
    if when.year < 1990 or when > timezone.now() + dt.timedelta(days=1):
        return None
    return when


# --- pages -----------------------------------------------------------------------------------
def page_encoding(data: bytes, content_type: str = "") -> str:
    """The page's character set: as its Content-Type says, else as its <meta> says, else
    UTF-8 if it is valid UTF-8, else Windows-1252 (as browsers guess)."""
    found = _CHARSET.search(content_type.encode()) or _CHARSET.search(data[:4096])
    if found:
        name = found.group(1).decode("ascii", "replace")
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "windows-1252"
    return "utf-8"


def parse_page(data: bytes, *, url: str, content_type: str = "") -> list[Entry]:
    """A web page as one entry: its title, its description and its canonical link (the
    address it was fetched from when it names none)."""
    try:
        parser = lxml.html.HTMLParser(
            encoding=page_encoding(data, content_type), no_network=True, remove_comments=True
        )
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, LookupError) as exc:
        raise ParseError(_("The page cannot be read as HTML.")) from exc

    def meta(*names: str) -> str:
        for name in names:
            for attribute in ("property", "name"):
                found = root.xpath(f"//meta[@{attribute}=$n]/@content", n=name)
                if found and str(found[0]).strip():
                    return str(found[0])
        return ""

    title = (
        meta("og:title", "twitter:title")
        or _first_text(root, "//title")
        or (_first_text(root, "//h1"))
    )
    summary = meta("description", "og:description", "twitter:description")
    canonical_href = root.xpath("//link[@rel='canonical']/@href")
    link = clean_link(str(canonical_href[0]), url) if canonical_href else ""
    link = link or clean_link(meta("og:url"), url) or clean_link(url)
    entry = _entry(title, summary, link)
    if entry is None:
        raise ParseError(_("The page has neither a title nor a description."))
    return [entry]


def _first_text(root, path: str) -> str:
    found = root.xpath(path)
    return found[0].text_content() if found else ""
