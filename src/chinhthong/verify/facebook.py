"""Which Facebook page a link names: a username or a numeric page id, or neither."""

from dataclasses import dataclass
from urllib.parse import parse_qs

from chinhthong.verify.canonical import FACEBOOK_HOSTS
from chinhthong.verify.urls import Link

HOSTS = FACEBOOK_HOSTS | {"fb.me", "www.fb.me", "m.me"}
_RESERVED = frozenset(
    """watch groups events marketplace gaming help login settings share sharer sharer.php dialog
    plugins hashtag photo.php photo photos story.php permalink.php profile.php pages pg people
    l.php ads business privacy policies home.php notifications messages friends reel reels
    stories search media video.php live tr""".split()
)


@dataclass(frozen=True, slots=True)
class PageRef:
    username: str = ""
    page_id: str = ""


def page_of(link: Link) -> PageRef | None:
    """The page a Facebook link belongs to; None when the link names none (share, group, photo)."""
    segments = [s for s in link.pathname.split("/") if s]
    query = parse_qs(link.search[1:]) if link.search else {}
    if not segments:
        return None
    head = segments[0].lower()
    if head in ("profile.php", "story.php", "permalink.php") and query.get("id"):
        return _by_id(query["id"][0])
    if head in ("pages", "people") and len(segments) >= 3:
        return _by_id(segments[2]) or _by_id(segments[-1])
    if head == "pg" and len(segments) >= 2:
        return _by_name(segments[1])
    if head in _RESERVED:
        return None
    return _by_id(segments[0]) or _by_name(segments[0])


def _by_id(value: str) -> PageRef | None:
    return PageRef(page_id=value) if value.isdigit() and 5 <= len(value) <= 20 else None


def _by_name(value: str) -> PageRef | None:
    name = value.split("?")[0]
    if 5 <= len(name) <= 50 and all(ch.isalnum() or ch == "." for ch in name) and name.isascii():
        return PageRef(username=name)
    return None
