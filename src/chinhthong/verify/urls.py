"""Links parsed the way browsers parse them (WHATWG URL Standard, through ada-url), and the
tricks that make a link read differently from where it goes."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

import ada_url

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
    "nam12.safelinks.protection.outlook.com": ("url",),
    "href.li": (),
}

SHORTENERS = frozenset(
    """bit.ly bitly.com tinyurl.com goo.gl t.ly cutt.ly rb.gy is.gd v.gd shorturl.at tiny.cc s.id
    ow.ly buff.ly rebrand.ly t.co lnkd.in shorte.st adf.ly bl.ink soo.gd clck.ru u.to
    short.io urlz.fr x.gd tinu.be zzb.bz""".split()
)


@dataclass(frozen=True, slots=True)
class Link:
    raw: str
    href: str  # canonical, without fragment: what blocklists are matched against
    scheme: str
    host: str  # ASCII, lowercase, no trailing dot
    is_ip: bool
    username: str
    pathname: str
    search: str


def scheme_of(text: str) -> str:
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else ""


def parse(text: str) -> Link | None:
    """A web link from what a person pasted; scheme-less input is read as http."""
    raw = text.strip()
    candidate = raw if scheme_of(raw) else "http://" + raw.lstrip("/")
    try:
        url = ada_url.URL(candidate)
    except ValueError:
        return None
    scheme = url.protocol[:-1]
    if scheme not in WEB_SCHEMES or not url.hostname:
        return None
    host = url.hostname.rstrip(".")
    is_ip = host.startswith("[") or _looks_ipv4(host)
    href = url.href
    if url.hash:
        href = href[: -len(url.hash)]
    return Link(raw, href, scheme, host, is_ip, url.username, url.pathname, url.search)


def _looks_ipv4(host: str) -> bool:
    # ada has already turned hex, octal and integer forms into dotted decimal.
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)


def canonical_href(text: str) -> str | None:
    link = parse(text) if scheme_of(text.strip()) else None
    return link.href if link else None


def unwrap(link: Link) -> str | None:
    """The destination hidden in a redirect wrapper's query, or None."""
    params = WRAPPERS.get(link.host)
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
    if "\\" in after_scheme:
        # https://evil.top\@quangninh.gov.vn/ : a naive reader takes the part after "@".
        authority = re.split(r"[/?#]", after_scheme, maxsplit=1)[0]
        shown = authority.rsplit("@", 1)[1] if "@" in authority else authority.split("\\", 1)[1]
        found.append(Trick("url_backslash", shown.split(":", 1)[0].strip("\\/").lower()))
    return found
