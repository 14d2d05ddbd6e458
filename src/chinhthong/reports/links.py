"""A reported link, canonicalised once at the edge: the platform it is on and the one address
that the same post has however it was shared (mobile host, tracking parameters, a share
wrapper's query), so reports of one post join one case."""

from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chinhthong.config.refusals import Refused
from chinhthong.verify import urls

MAX_LINK_CHARS = 2000
MAX_LINKS = 20

# host (after the prefixes below are taken off) -> platform
PLATFORMS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.watch": "facebook",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "zalo.me": "zalo",
    "x.com": "x",
    "twitter.com": "x",
    "instagram.com": "instagram",
    "threads.net": "threads",
    "threads.com": "threads",
    "t.me": "telegram",
    "telegram.me": "telegram",
}
PLATFORM_NAMES = {
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "zalo": "Zalo",
    "x": "X (Twitter)",
    "instagram": "Instagram",
    "threads": "Threads",
    "telegram": "Telegram",
    "web": _lazy("Website"),
}
_PREFIXES = ("www.", "m.", "mobile.", "mbasic.", "web.", "vm.", "vt.")
# Parameters that say who shared a link or from where, never which post it is.
_TRACKING = ("utm_", "fbclid", "gclid", "igshid", "igsh", "si", "mibextid", "ref", "__cft__")
# Parameters that name the post itself on these platforms.
_KEEP = {
    "facebook": {"story_fbid", "id", "v", "fbid", "set"},
    "youtube": {"v"},
}


class ReportedLink(NamedTuple):
    url: str  # as given (trimmed)
    canonical: str
    platform: str


def platform_of(host: str) -> str:
    bare = host
    while bare.startswith(_PREFIXES):
        bare = bare.split(".", 1)[1]
    return PLATFORMS.get(bare, "web")


def read(text: str) -> ReportedLink:
    """A reported link, or Refused saying what is wrong with it."""
    raw = text.strip()
    if not raw:
        raise Refused(_("A link is empty."), code="link_empty")
    if len(raw) > MAX_LINK_CHARS:
        raise Refused(
            _("A link is longer than %(n)s characters.") % {"n": MAX_LINK_CHARS},
            code="link_too_long",
        )
    link = urls.parse(raw)
    if link is None or ("." not in link.host and not link.is_ip):
        raise Refused(
            _("“%(link)s” is not a web address.") % {"link": raw[:100]}, code="link_invalid"
        )
    unwrapped = urls.unwrap(link)
    if unwrapped:
        inner = urls.parse(unwrapped)
        if inner is not None:
            link = inner
    return ReportedLink(raw, canonical(link), platform_of(link.host))


def canonical(link: urls.Link) -> str:
    platform = platform_of(link.host)
    host = link.host
    while host.startswith(_PREFIXES):
        host = host.split(".", 1)[1]
    if host == "twitter.com":
        host = "x.com"
    # On a platform, the post is in the path (or in the parameters _KEEP names); elsewhere every
    # parameter but the trackers may matter.
    keep = _KEEP.get(platform, set()) if platform != "web" else None
    params = [
        (name, value)
        for name, value in parse_qsl(link.search.lstrip("?"))
        if not name.lower().startswith(_TRACKING) and (keep is None or name in keep)
    ]
    path = link.pathname.rstrip("/") or "/"
    if platform == "youtube" and host == "youtu.be":
        host, params, path = "youtube.com", [("v", path.strip("/"))], "/watch"
    query = "?" + urlencode(sorted(params)) if params else ""
    return f"https://{host}{path}{query}"


def read_all(texts: list[str]) -> list[ReportedLink]:
    """Every link of a report, each once; Refused naming the first bad one."""
    if len(texts) > MAX_LINKS:
        raise Refused(
            _("At most %(n)s links in one report.") % {"n": MAX_LINKS}, code="too_many_links"
        )
    found: dict[str, ReportedLink] = {}
    for text in texts:
        if text.strip():
            link = read(text)
            found.setdefault(link.canonical, link)
    return list(found.values())
