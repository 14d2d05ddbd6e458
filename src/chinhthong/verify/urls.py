"""Links parsed the way browsers parse them (WHATWG URL Standard, through ada-url), and the
tricks that make a link read differently from where it goes."""

import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qs, unquote

import ada_url
from ada_url._ada_wrapper import ffi as _ffi
from ada_url._ada_wrapper import lib as _lib

SCRIPT_SCHEMES = frozenset({"javascript", "data", "vbscript", "blob"})
WEB_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")

# Redirect wrappers: host -> query parameters that hold the destination.
WRAPPERS = {
    "l.facebook.com": ("u",),
    "lm.facebook.com": ("u",),
    "l.messenger.com": ("u",),
    "www.google.com": ("q", "url"),
    "google.com": ("q", "url"),
    "www.google.com.vn": ("q", "url"),
    "safelinks.protection.outlook.com": ("url",),
}
SAFELINKS = ".safelinks.protection.outlook.com"  # regional hosts: nam12., eur01., apc01. …

SHORTENERS = frozenset(
    """bit.ly bitly.com tinyurl.com goo.gl t.ly cutt.ly rb.gy is.gd v.gd shorturl.at tiny.cc s.id
    ow.ly buff.ly rebrand.ly t.co lnkd.in shorte.st adf.ly bl.ink soo.gd clck.ru u.to
    short.io urlz.fr x.gd tinu.be zzb.bz""".split()
)


_OMITTED = 0xFFFFFFFF
_DEFAULT_HOST = int(ada_url.HostType.DEFAULT)


class Link(NamedTuple):  # a tuple: built for every link checked, several times faster
    raw: str
    href: str  # canonical, without fragment: what blocklists are matched against
    scheme: str
    host: str  # ASCII, lowercase, no trailing dot
    is_ip: bool
    username: str
    pathname: str
    search: str


def scheme_of(text: str) -> str:
    if text.startswith("https:"):  # nearly every link: spare the regular expression
        return "https"
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else ""


def parse(text: str) -> Link | None:
    """A web link from what a person pasted; scheme-less input is read as http."""
    raw = text.strip()
    candidate = raw if scheme_of(raw) else "http://" + raw.lstrip("/")
    parts = components(candidate)
    if parts is None:
        return None
    href, scheme, hostname, username, pathname, search, _fragment, host_type = parts
    if scheme not in WEB_SCHEMES or not hostname:
        return None
    host = hostname.rstrip(".")
    # A serialised URL holds "#" only where its fragment starts.
    href = href.partition("#")[0]
    return Link(raw, href, scheme, host, host_type != _DEFAULT_HOST, username, pathname, search)


def components(text: str):
    """(href, scheme, hostname, username, pathname, search, hash, host type) of a URL, read
    from ada's parsed offsets in one call; ada_url's own accessors cross into C once per part,
    which cost more than the rest of a cached check (bench/url_batch.py). None if invalid."""
    try:
        data = text.encode()
    except UnicodeError:
        return None
    url = _lib.ada_parse(data, len(data))
    try:
        if not _lib.ada_is_valid(url):
            return None
        raw_href = _lib.ada_get_href(url)
        href = _ffi.unpack(raw_href.data, raw_href.length).decode()
        c = _lib.ada_get_components(url)
        protocol_end = c.protocol_end
        username_end = c.username_end
        host_start = c.host_start
        host_end = c.host_end
        path_start = c.pathname_start
        search_start = c.search_start
        hash_start = c.hash_start
        host_type = _lib.ada_get_host_type(url)
    finally:
        _lib.ada_free(url)
    # The offsets index href; a host after credentials starts with its "@". As the URL
    # Standard's getters, a lone "?" or "#" reads as empty.
    if hash_start == _OMITTED:
        fragment, tail = "", len(href)
    else:
        fragment, tail = href[hash_start:], hash_start
        if fragment == "#":
            fragment = ""
    if search_start == _OMITTED:
        search, path_end = "", tail
    else:
        search, path_end = href[search_start:tail], search_start
        if search == "?":
            search = ""
    if host_end > host_start and href[host_start] == "@":
        host_start += 1
    username = href[protocol_end + 2 : username_end] if username_end > protocol_end + 2 else ""
    return (
        href,
        href[: protocol_end - 1],
        href[host_start:host_end],
        username,
        href[path_start:path_end],
        search,
        fragment,
        host_type,
    )


def canonical_href(text: str) -> str | None:
    link = parse(text) if scheme_of(text.strip()) else None
    return link.href if link else None


def unwrap(link: Link) -> str | None:
    """The destination hidden in a redirect wrapper's query, or None."""
    params = WRAPPERS.get(link.host)
    if params is None and link.host.endswith(SAFELINKS):
        params = WRAPPERS["safelinks.protection.outlook.com"]
    if params is None or not link.search:
        return None
    if link.host.startswith(("www.google.", "google.")) and link.pathname != "/url":
        return None
    query = parse_qs(link.search[1:])
    for name in params:
        for value in query.get(name, []):
            target = unquote(value) if "%" in value else value
            if scheme_of(target) in WEB_SCHEMES:
                return target
    return None


@dataclass(frozen=True, slots=True)
class Trick:
    code: str  # url_userinfo or url_backslash
    shown: str  # the host a reader sees


def tricks(link: Link) -> list[Trick]:
    """Hosts a reader would take for the destination although the browser goes elsewhere."""
    found = []
    after_scheme = link.raw.split("://", 1)[1] if "://" in link.raw else link.raw
    if link.username:
        # https://quangninh.gov.vn@evil.top/ : the reader sees what comes before the "@".
        shown = unquote(after_scheme.split("@", 1)[0]).split(":", 1)[0]
        found.append(Trick("url_userinfo", shown.strip("/").lower()))
    # https://evil.top\@quangninh.gov.vn/ : a naive reader takes the part after "@".
    authority = re.split(r"[/?#]", after_scheme, maxsplit=1)[0]
    if "\\" in authority:
        shown = authority.rsplit("@", 1)[1] if "@" in authority else authority.split("\\", 1)[1]
        found.append(Trick("url_backslash", shown.split(":", 1)[0].strip("\\/").lower()))
    return found
