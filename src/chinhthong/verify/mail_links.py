"""The links of a message's text and HTML parts, with the text a reader sees for each: every
link judged once, at most MAX_LINKS, and a link whose text shows another site than it opens.
Part of the analysis of a message (mail.py): it adds its findings to that analysis.

A link whose text shows one site and opens another is a warning only when it can mislead:
the text shows an official site or a look-alike of one, or the link itself is risky (a
look-alike, a shortener, a bare IP address, a blocklisted site). Otherwise it is a note:
newsletters show their own site and send every click through their mailing service to count
it (click tracking), which proves nothing either way."""

import re
from functools import lru_cache
from html import unescape

from selectolax.lexbor import LexborHTMLParser

from chinhthong.verify.domains import is_known_suffix
from chinhthong.verify.mail_headers import host_of
from chinhthong.verify.results import Result, Verdict
from chinhthong.verify.urls import SCRIPT_SCHEMES, WEB_SCHEMES, parse, scheme_of, unwrap

MAX_HTML_TAGS = 10_000  # beyond this, lexbor's cost grows with nesting; links are read by regex
MAX_LINKS = 200
MAX_LINK = 2048  # characters of one link

# Links a reader sees in text: http(s) and www. links, and bare host names mail programs link.
_LINK = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>\"'`]{1,2048})"
    r"|(?<![\w@./:-])(?P<host>(?:[a-z0-9][a-z0-9-]{0,62}\.){1,6}[a-z][a-z0-9-]{1,23})(?![\w@-])"
    r"(?P<path>/[^\s<>\"'`]{0,2048})?",
    re.IGNORECASE,
)
_ATTRIBUTE_LINK = re.compile(
    r"""\b(?:href|action|src)[ \t\r\n]*=[ \t\r\n]*"""
    r"""(?:"([^"]{0,2048})"|'([^']{0,2048})'|([^\s>"']{1,2048}))""",
    re.IGNORECASE,
)
_LINK_SCHEMES = WEB_SCHEMES | SCRIPT_SCHEMES | {"mailto", "vbscript"}
_TRAILING = ".,;:!?)]}>'\""
_RISKY = frozenset({Verdict.SUSPICIOUS, Verdict.IMPERSONATION, Verdict.MALICIOUS})
# Endings a reader takes for a site's even when written as a word ("Chinhphu.Vn",
# "News.Com"): the classic generic ones; two-letter endings are countries'. Any other ending
# written in capitals and small letters reads as a name: "Craig R.Hughes".
_CLASSIC_ENDINGS = frozenset("com net org edu gov int mil biz info".split())


class LinkReading:
    # --- links --------------------------------------------------------------------------------
    def _text_links(self, text: str) -> None:
        for match in _LINK.finditer(text):
            if match.group("url"):
                link = match.group("url").rstrip(_TRAILING)
                if link[:4].lower() == "www.":
                    link = "http://" + link
            elif is_known_suffix(match.group("host").lower()):
                link = (
                    "http://" + match.group("host") + (match.group("path") or "").rstrip(_TRAILING)
                )
            else:
                continue
            if not self._link(link, ""):
                return

    def _html_links(self, html: str) -> None:
        if html.count("<") > MAX_HTML_TAGS:
            for match in _ATTRIBUTE_LINK.finditer(html):
                href = unescape(next(g for g in match.groups() if g is not None)).strip()
                if scheme_of(href) in _LINK_SCHEMES and not self._link(href, ""):
                    return
            return
        tree = LexborHTMLParser(html)
        for node in tree.css("a[href], area[href], form[action], iframe[src]"):
            attributes = node.attributes
            href = attributes.get("href") or attributes.get("action") or attributes.get("src") or ""
            href = href.strip()
            if href.startswith("//"):
                href = "https:" + href
            if scheme_of(href) not in _LINK_SCHEMES:
                continue  # relative links lead nowhere from a message; cid: or tel: are no sites
            text = node.text(deep=True, separator=" ", strip=True)[:500] if node.tag == "a" else ""
            if not self._link(href, text):
                return

    def _link(self, href: str, text: str) -> bool:
        """Judges one link once; False when no more links may be taken."""
        href = href[:MAX_LINK]
        result = self.links.get(href)
        if result is None:
            if len(self.links) >= MAX_LINKS:
                self.add("too_many_links", Verdict.UNKNOWN, limit=str(MAX_LINKS))
                return False
            result = self.links[href] = self._judge(self.engine.check_url, href, "url")
            self.link_count += 1
        if "." in text and (href, text) not in self.link_texts:
            self.link_texts.add((href, text))
            self._link_text(href, text, result)
        return True

    def _link_text(self, href: str, text: str, result: Result) -> None:
        """The reader sees one site in the link's text; the link opens another."""
        shown = shown_host(text)
        real = _final_host(href)
        if (
            not shown
            or not real
            or self._same_site(shown, real)
            or result.verdict is Verdict.OFFICIAL
        ):
            return
        official = self.index.website_for(shown) or self.index.mail_domain_for(shown)
        imitated = None if official else self._imitated(shown)
        if official:
            self.add(
                "link_text_official",
                Verdict.IMPERSONATION,
                shown=shown,
                host=real,
                channel=official[0].name,
            )
            self.imitated.append(official[0])
        elif imitated is not None:
            # The text shows a look-alike of an official site: judged as the reader sees it.
            self.add("link_text_mismatch", Verdict.SUSPICIOUS, shown=shown, host=real)
            if shown not in self.links:
                self.links[shown] = self._judge(self.engine.check_url, shown, "domain")
        elif result.verdict in _RISKY:
            self.add("link_text_mismatch", Verdict.SUSPICIOUS, shown=shown, host=real)
        else:
            self.add("link_text_elsewhere", Verdict.UNKNOWN, shown=shown, host=real)

    def _imitated(self, host: str):
        """The official channel whose look-alike ``host`` is, or None."""
        found = self.engine.hosts.analyse(host)
        if found.imitated is None:
            return None
        if not any(r.verdict is Verdict.IMPERSONATION for r in found.reasons):
            return None
        return found.imitated


@lru_cache(maxsize=8192)
def shown_host(text: str) -> str | None:
    """The site a reader sees in ``text`` (a link's text, a sender's name), or None: a link
    (``https://…``, ``www.…``) or a host name, whose ending, unless written in small or in
    capital letters, is a country's or a classic one (``R.Hughes`` is a name)."""
    for match in _LINK.finditer(text):
        if match.group("url"):
            link = parse(match.group("url").rstrip(_TRAILING))
            return link.host if link and not link.is_ip else None
        written = match.group("host")
        ending = written.rpartition(".")[2]
        as_word = not (ending.islower() or ending.isupper())
        if as_word and len(ending) != 2 and ending.lower() not in _CLASSIC_ENDINGS:
            continue
        host = written.lower()
        if is_known_suffix(host):
            return host_of(host)
    return None


@lru_cache(maxsize=8192)
def _final_host(href: str) -> str | None:
    link = parse(href) if href[:4].lower() == "http" else None
    for _ in range(3):
        if link is None:
            return None
        target = unwrap(link)
        if target is None:
            break
        link = parse(target)
    return link.host if link else None
