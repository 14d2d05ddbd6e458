"""Email analysis: "is this message official?" for a raw RFC 5322 message (an uploaded .eml or
a message a mail gateway hands over).

It reads the sender headers (From with its display name, Sender, Reply-To, Return-Path), the
Authentication-Results the receiving server wrote, every link of the text and HTML parts with
the text a reader sees, and the attachments (mail_attachments.py). A malformed, truncated or
hostile message gets a verdict with reasons, never an exception, in bounded time and memory:
the input, the header block, the MIME nesting, the number of parts and links are capped, and
archives are unpacked only within a byte budget and the message's deadline.

Parsing uses the stdlib parser with ``policy.default`` (EmailPolicy) in one respect changed:
header values are cut to MAX_FIELD characters before they are parsed, and the three headers
that drive the MIME structure (Content-Type, -Disposition, -Transfer-Encoding) are handed to
the Message as plain strings, the way compat32 does. The parser asks for a part's
Content-Type many times and the structured header parser costs more than half the parse;
sender headers are still parsed by policy.default's header registry, on bounded values.

Only the From line can make a message official: official Reply-To, Sender or Return-Path
addresses and links to official sites are shown as official parts, but a stranger's message
that carries them stays unknown (forgers add them to look genuine).

Authentication-Results (RFC 8601): the topmost field is the one the receiving server added
last, and its authserv-id is trusted. Only that field and the fields of the same server
directly below it count: a server writes its fields together (one, or one per milter), while
a field the sender forged with its authserv-id sits below at least the server's own Received
line and the sender's other headers (RFC 8601 section 5 has a border server remove them, and
not every server does). For each method the topmost of them reporting it decides. Fields are
read per RFC 8601 and RFC 5322: quoted strings and comments, in which the server copies text
the sender chose, are opaque, and within one field a failure of SPF or DMARC outranks a pass.

Senders are read as mail programs read them, from the header as written: Engine's
``mailboxes`` (the address in the last angle brackets is the mailbox), not the stdlib's
decoding, which decodes encoded words inside an address; a From line naming several mailboxes
is never official; a domain is official only as written (``engine.written_as``), not folded
as IDNA folds a link's host.
"""

import contextlib
import re
import time
from email.headerregistry import Address
from email.parser import BytesParser
from email.policy import EmailPolicy, default
from email.utils import parseaddr
from functools import lru_cache
from html import unescape

from selectolax.lexbor import LexborHTMLParser

from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.domains import is_known_suffix
from chinhthong.verify.engine import mailboxes, written_as
from chinhthong.verify.mail_archives import Budget, inspect_attachment
from chinhthong.verify.mail_attachments import attachment_names
from chinhthong.verify.results import ChannelRef, Reason, Result, Verdict, decide, reason
from chinhthong.verify.urls import SCRIPT_SCHEMES, WEB_SCHEMES, parse, scheme_of, unwrap

MAX_BYTES = 25 * 1024 * 1024  # larger messages: sender checked, nothing else
MAX_HEAD_BYTES = 256 * 1024  # header block of the message itself
MAX_HEADERS = 500  # header fields kept from it
MAX_FIELD = 2048  # characters of one header value that are parsed
MAX_CONTAINERS = 100  # multipart and message/* declarations the parser is trusted with
MAX_BOUNDARY_LINES = 4 * 500  # lines starting with "--" (boundaries) the parser is trusted with
MAX_LINES = 500_000  # a 25 MB message of base64 has 340 000
# Lines × the boundaries that may be open around them: the parser matches every line against
# every open boundary (20 levels × 499,000 lines took 1.2 s, 99 levels 4 s). A 25 MB message
# of base64 under three multiparts counts 1 million; 15 messages forwarded with a document
# each, 1.4 million.
MAX_NESTED_LINES = 5_000_000
MAX_HTML_TAGS = 10_000  # beyond this, lexbor's cost grows with nesting; links are read by regex
MAX_DEPTH = 20
MAX_PARTS = 500
MAX_LINKS = 200
MAX_TEXT = 1024 * 1024  # characters of one text or HTML part searched for links
MAX_TEXT_TOTAL = 4 * 1024 * 1024
MAX_LINK = 2048  # characters of one link
MAX_ADDRESSES = 5  # addresses judged from one header
MAX_AUTH_FIELDS = 20
MAX_REASONS = 50
MAX_SECONDS = 3.0  # after this, remaining parts are not examined
LABEL_LENGTH = 160

_KEEP = frozenset(
    """from sender reply-to return-path subject authentication-results mime-version
    content-type content-transfer-encoding content-disposition""".split()
)
_STRUCTURE = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})
_BASE64_DEFECTS = frozenset(
    {"InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect"}
)
_HEADER_DEFECTS = frozenset({"InvalidHeaderDefect", "HeaderMissingRequiredValue"})
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
_DISPLAYED_ADDRESS = re.compile(r"[\w.+-]{1,64}@((?:[\w-]{1,63}\.){1,6}[\w-]{2,24})")
_TRAILING = ".,;:!?)]}>'\""
# Within one Authentication-Results field (``_trusted_results``): for SPF and DMARC a failure
# outranks any other result, which outranks a pass; for DKIM an aligned pass of any signature
# wins, then a failure. Results not named rank 1.
_RANK = {"fail": 3, "pass": 0}
_DKIM_RANK = {"pass": 3, "fail": 2}
_UNREADABLE = "unreadable"


class _MailPolicy(EmailPolicy):
    """policy.default with header values bounded, and the MIME structure headers as strings."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        value = value[:MAX_FIELD].replace("\r", "").replace("\n", "")
        if name.lower() in _STRUCTURE:
            return value
        return super().header_fetch_parse(name, value)


_PARSER = BytesParser(policy=_MailPolicy())


def check_message(engine, raw: bytes) -> Result:
    """The verdict on one raw message; never raises."""
    try:
        if isinstance(raw, str):  # a message pasted as text
            raw = raw.encode("utf-8", "surrogateescape")
        return _Analysis(engine, bytes(raw)).run()
    except Exception as exc:  # the last guard: a broken message is a finding, not a crash
        found = reason("malformed", Verdict.SUSPICIOUS, detail=type(exc).__name__)
        return decide("(email)", "email", [found])


class _Analysis:
    def __init__(self, engine, raw: bytes):
        self.engine = engine
        self.index = engine.index
        self.raw = raw
        self.reasons: list[Reason] = []
        self.parts: list[Result] = []
        self.imitated: list[ChannelRef] = []
        self.defects: set[str] = set()
        self.links: dict[str, Result] = {}
        self.link_texts: set[tuple[str, str]] = set()
        self.deadline = time.monotonic() + MAX_SECONDS
        self.budget = Budget(deadline=self.deadline, seconds=MAX_SECONDS)
        self.text_left = MAX_TEXT_TOTAL
        self.from_text = ""
        self.from_count = 0  # the first parts are the From addresses
        self.subject = ""

    # --- the whole message --------------------------------------------------------------------
    def run(self) -> Result:
        headers_only = False
        raw = self.raw
        if len(raw) > MAX_BYTES:
            self.add("too_large", Verdict.SUSPICIOUS, limit=str(MAX_BYTES // (1024 * 1024)))
            raw, headers_only = _head_of(raw), True
        raw = self._bounded_headers(raw)
        if not headers_only and _structure_too_large(raw):
            self.add("too_complex", Verdict.SUSPICIOUS)
            headers_only = True
        message = self._parse(_head_of(raw) if headers_only else raw, headers_only)
        if message is not None:
            self._guard(self._headers, message)
            if not headers_only:
                self._guard(self._body, message)
        if self.defects:
            self.add("malformed", Verdict.SUSPICIOUS, detail=", ".join(sorted(self.defects)))
        return self._result()

    def _parse(self, raw: bytes, headers_only: bool):
        try:
            return _PARSER.parsebytes(raw, headersonly=headers_only)
        except Exception as exc:  # a parser failure (deep recursion): keep what the headers say
            self.defects.add(type(exc).__name__)
        try:
            return _PARSER.parsebytes(_head_of(raw), headersonly=True)
        except Exception as exc:
            self.defects.add(type(exc).__name__)
            return None

    def _guard(self, step, message) -> None:
        try:
            step(message)
        except Exception as exc:  # one failing step must not hide what the others found
            self.defects.add(type(exc).__name__)

    def _result(self) -> Result:
        label = " → ".join(x for x in (self.from_text, self.subject) if x) or "(email)"
        if len(label) > LABEL_LENGTH:
            label = label[: LABEL_LENGTH - 1] + "…"
        reasons = list(dict.fromkeys(self.reasons))[:MAX_REASONS]
        parts = [*self.parts, *self.links.values()]
        imitated = self.imitated + [
            p.lookalike_of for p in parts if p.lookalike_of and p.verdict is Verdict.IMPERSONATION
        ]
        # Only the From line makes a message official: an official Reply-To, Sender or
        # Return-Path, or links to official sites, are what a forger adds to look genuine.
        deciding = self.parts[: self.from_count] + [
            p for p in parts[self.from_count :] if p.verdict is not Verdict.OFFICIAL
        ]
        lookalike = imitated[0] if imitated else None
        verdict = decide(label, "email", reasons, lookalike_of=lookalike, parts=deciding)
        return verdict._replace(parts=tuple(parts))

    def _judge(self, check, text: str, kind: str) -> Result:
        """The engine's answer for one link or address; if the engine fails on a crafted
        value, that value is malformed and the other links are still judged."""
        try:
            return check(text)
        except Exception as exc:
            self.defects.add(type(exc).__name__)
            found = reason("malformed", Verdict.SUSPICIOUS, detail=type(exc).__name__)
            return Result(text, kind, Verdict.SUSPICIOUS, (found,))

    def add(self, code: str, verdict: Verdict, **params: str) -> None:
        self.reasons.append(reason(code, verdict, **params))

    def _bounded_headers(self, raw: bytes) -> bytes:
        """The message with its header block cut to MAX_HEADERS fields and MAX_HEAD_BYTES,
        keeping the fields analysed here (at most MAX_AUTH_FIELDS of each name)."""
        head, body = _split_head(raw)
        if len(head) <= MAX_HEAD_BYTES and _line_count(head) < MAX_HEADERS:
            return raw
        fields = _fields(head[: MAX_HEAD_BYTES * 4])
        if len(head) <= MAX_HEAD_BYTES and len(fields) <= MAX_HEADERS:
            return raw
        self.add("headers_too_large", Verdict.SUSPICIOUS)
        kept: list[bytes] = []
        seen: dict[bytes, int] = {}
        size = 0
        after_results = False
        for field in fields:
            name = field.split(b":", 1)[0].strip().lower()
            seen[name] = seen.get(name, 0) + 1
            wanted = name.decode("ascii", "replace") in _KEEP
            # The field below a kept Authentication-Results stays whatever it is: dropped,
            # it would join a lower field (the sender's) to the receiving server's run.
            dropped = seen[name] > MAX_AUTH_FIELDS or not (wanted or len(kept) < MAX_HEADERS)
            dropped = dropped or (size > MAX_HEAD_BYTES and not wanted)
            if dropped and not (after_results and name != b"authentication-results"):
                continue
            kept.append(field[: MAX_FIELD * 4])
            size += len(kept[-1])
            after_results = name == b"authentication-results"
        return b"\n".join(kept) + body

    # --- headers ------------------------------------------------------------------------------
    def _headers(self, message) -> None:
        fields = _header_values(message)
        self.subject = _one_line(_decoded("subject", _first(fields, "subject")))
        if len(fields.get("from", ())) > 1:
            self.defects.add("DuplicateFromHeader")  # programs disagree on which one they show
        senders = self._from(_first(fields, "from"))
        for name in ("sender", "return-path"):
            value = _first(fields, name)
            if value and value.strip() not in ("<>", ""):
                checked, _ = self._check_addresses(name, value, limit=1)
                self.parts.extend(result for _, result in checked)
        self._authentication(senders, fields.get("authentication-results", []))
        self._reply_to(senders, _first(fields, "reply-to"))

    def _from(self, value: str | None) -> list[tuple[Address | None, Result]]:
        if value is None:
            self.add("no_sender", Verdict.UNKNOWN)
            return []
        checked, self.from_text = self._check_addresses("from", value, limit=MAX_ADDRESSES)
        self.parts.extend(result for _, result in checked)
        self.from_count = len(checked)
        if len(checked) > 1:
            # From: x@evil.com, vanphong@quangninh.gov.vn: programs show one author or the
            # other, and the official one may not be the one that wrote it.
            shown = ", ".join(address.addr_spec for address, _ in checked if address is not None)
            self.add("several_senders", Verdict.SUSPICIOUS, addresses=shown)
        for address, result in checked:
            self._display_name_address(address, result)
        return checked

    def _check_addresses(self, name: str, value: str, limit: int):
        """([(address, engine's result)], the header as decoded text)."""
        addresses, defects, decoded = _parse_addresses(name, value)
        self.defects.update(d for d in defects if d in _HEADER_DEFECTS)
        if name != "return-path":
            # The mailboxes as written, read as mail programs read them, not as the stdlib
            # recovers from a header breaking the grammar ("vanphong@quangninh.gov.vn
            # <x@evil.com>" is x@evil.com) nor with the encoded words it decodes inside an
            # address (x@=?utf-8?q?quangninh.gov.vn?=, which RFC 2047 section 5 forbids).
            read = _as_mail_programs_read(value, addresses)
            if read is not addresses:  # shown as read, not as the stdlib decoded it
                decoded = ", ".join(_shown_address(address) for address in read)
            addresses = read
        checked: list[tuple[Address | None, Result]] = [
            (address, self._judge(self._mailbox(address), _address_text(address), "address"))
            for address in addresses[:limit]
        ]
        if not addresses:
            text = _one_line(value)[:MAX_FIELD]
            checked.append((None, self._judge(self.engine.check_address, text, "address")))
            if "@" in decoded and "@" not in value:  # =?utf-8?q?vanphong=40quangninh.gov.vn?=
                decoded = value
        return checked, _one_line(decoded)

    def _mailbox(self, address: Address):
        """The engine's check of one parsed address, given its parts as parsed: a name no
        mailbox has (a backslash, a quote) is judged as written, not as _address_text shows it."""
        spec = f"{address.username}@{address.domain}"
        return lambda text: self.engine.check_mailbox(text, address.display_name, spec)

    def _display_name_address(self, address: Address | None, result: Result) -> None:
        """ "admin@quangninh.gov.vn" <someone@gmail.com>: the name shows another address."""
        if address is None or not address.display_name or result.verdict is Verdict.OFFICIAL:
            return
        match = _DISPLAYED_ADDRESS.search(address.display_name)
        shown = _host(match.group(1)) if match else _shown_host(address.display_name)
        real = _host(address.domain)
        if not shown or not real or self._same_site(shown, real):
            return
        official = self.index.mail_domain_for(shown) or self.index.website_for(shown)
        verdict = Verdict.IMPERSONATION if official else Verdict.SUSPICIOUS
        shown_text = match.group(0) if match else shown
        self.add("display_name_address", verdict, shown=shown_text, address=address.addr_spec)
        if official:
            self.imitated.append(official[0])

    def _official_sender(self, address: Address | None):
        """(mail channel, registered domain) when the address is on an official mail domain."""
        if address is None:
            return None
        domain = _host(address.domain)
        if not domain or not written_as(_one_line(address.domain), domain):
            return None  # x@ｑｕａｎｇｎｉｎｈ.gov.vn: folded, another domain (engine.written_as)
        ref = self.index.mail_addresses.get(f"{address.username}@{domain}".lower())
        return (ref, domain) if ref else self.index.mail_domain_for(domain)

    def _authentication(self, senders, values: list[str]) -> None:
        if not senders or senders[0][0] is None:
            return
        address, result = senders[0]
        official = self._official_sender(address)
        # The results name the From domain as the server read it: as written. Only a domain
        # written as its canonical form (engine.written_as) is also matched in ASCII.
        written = _one_line(address.domain).lower()
        canonical_domain = _host(address.domain)
        forms = {written}
        if canonical_domain and written_as(written, canonical_domain):
            forms.add(canonical_domain)
        domain = canonical_domain if canonical_domain in forms else written
        found = _trusted_results(values, frozenset(forms))
        if official and found.get("dmarc") == "fail":
            ref, registered = official
            forged = reason("forged_official_sender", Verdict.IMPERSONATION, domain=registered)
            self.reasons.append(forged)
            kept = [r for r in result.reasons if r.verdict is not Verdict.OFFICIAL]
            self.parts[self.parts.index(result)] = decide(
                result.input, "address", [*kept, forged], lookalike_of=ref
            )
            self.imitated.insert(0, ref)
        elif official and _UNREADABLE in found.values():
            self.add("unreadable_authentication", Verdict.SUSPICIOUS, domain=official[1])
        elif (
            official
            and found.get("dmarc") != "pass"
            and found.get("spf") == "fail"
            and (found.get("dkim") != "pass")
        ):
            self.add("unverified_official_sender", Verdict.SUSPICIOUS, domain=official[1])
        elif not official:
            failed = [m.upper() for m in ("spf", "dkim", "dmarc") if found.get(m) == "fail"]
            if failed:
                self.add("auth_failed", Verdict.SUSPICIOUS, domain=domain, checks=", ".join(failed))

    def _reply_to(self, senders, value: str | None) -> None:
        if value is None:
            return
        checked, _ = self._check_addresses("reply-to", value, limit=MAX_ADDRESSES)
        self.parts.extend(result for _, result in checked)
        official = self._official_sender(senders[0][0]) if senders else None
        if not official:
            return
        for address, _ in checked:
            if address is None or not self._official_sender(address):
                shown = address.addr_spec if address is not None else _one_line(value)[:200]
                self.add(
                    "reply_to_elsewhere", Verdict.SUSPICIOUS, reply_to=shown, domain=official[1]
                )
                return

    def _same_site(self, one: str, other: str) -> bool:
        registrable = self.index.domains.registrable
        return one == other or (registrable(one) or one) == (registrable(other) or other)

    # --- body ---------------------------------------------------------------------------------
    def _body(self, message) -> None:
        stack, count = [(message, 0)], 0
        while stack:
            part, depth = stack.pop()
            count += 1
            if count > MAX_PARTS:
                self.add("too_many_parts", Verdict.SUSPICIOUS, limit=str(MAX_PARTS))
                return
            if time.monotonic() > self.deadline:
                self.add("too_slow", Verdict.SUSPICIOUS, limit=str(MAX_SECONDS))
                return
            self.defects.update(type(d).__name__ for d in part.defects)
            if part.is_multipart():
                children = part.get_payload()
                if depth >= MAX_DEPTH:
                    self.add("too_deep", Verdict.SUSPICIOUS, limit=str(MAX_DEPTH))
                elif isinstance(children, list):
                    stack.extend((child, depth + 1) for child in reversed(children))
                continue
            self._guard(self._leaf, part)

    def _leaf(self, part) -> None:
        if any(len(value) > MAX_FIELD for _, value in part.raw_items()):
            self.add("headers_too_large", Verdict.SUSPICIOUS)
        content_type = part.get_content_type()
        names = attachment_names(part)  # decoded as mail programs decode them; all are judged
        name = names[0] if names else ""
        before = len(part.defects)
        payload = part.get_payload(decode=True)
        new = {type(d).__name__ for d in part.defects[before:]}
        if new & _BASE64_DEFECTS:
            self.add("undecodable_part", Verdict.SUSPICIOUS, name=name or content_type)
        self.defects.update(new - _BASE64_DEFECTS)
        if not isinstance(payload, bytes):
            return
        is_text = content_type in ("text/plain", "text/html")
        if is_text and self.text_left > 0:
            text = _decode(payload[:MAX_TEXT], part.get_content_charset())
            self.text_left -= len(text)
            if content_type == "text/html":
                self._html_links(text)
            else:
                self._text_links(text)
        if names or not (is_text or content_type.startswith(("multipart/", "message/"))):
            found = inspect_attachment(
                name, payload, self.budget, label=content_type, aliases=tuple(names[1:])
            )
            self.reasons.extend(found)

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
        if "." in text and (href, text) not in self.link_texts:
            self.link_texts.add((href, text))
            self._link_text(href, text, result)
        return True

    def _link_text(self, href: str, text: str, result: Result) -> None:
        """The reader sees one site in the link's text; the link opens another."""
        shown = _shown_host(text)
        real = _final_host(href)
        if (
            not shown
            or not real
            or self._same_site(shown, real)
            or result.verdict is Verdict.OFFICIAL
        ):
            return
        official = self.index.website_for(shown) or self.index.mail_domain_for(shown)
        if official:
            self.add(
                "link_text_official",
                Verdict.IMPERSONATION,
                shown=shown,
                host=real,
                channel=official[0].name,
            )
            self.imitated.append(official[0])
        else:
            self.add("link_text_mismatch", Verdict.SUSPICIOUS, shown=shown, host=real)


# --- helpers ----------------------------------------------------------------------------------
def _line_count(raw: bytes, start: int = 0, end: int | None = None) -> int:
    """Lines in raw[start:end] as the parser splits them: at LF, CRLF and a bare CR alike."""
    end = len(raw) if end is None else end
    crlf = raw.count(b"\r\n", start, end)
    return raw.count(b"\n", start, end) + raw.count(b"\r", start, end) - crlf


def _blank_line(raw: bytes) -> tuple[int, int]:
    """Start and end of the first empty line (the end of the header block), or (-1, -1); the
    start is that of the line break ending the last header line. Line breaks are LF, CRLF and a
    bare CR, so an empty line shows as LF LF, LF CR or CR CR where the two breaks meet."""
    found = [at for pair in (b"\n\n", b"\n\r", b"\r\r") if (at := raw.find(pair)) >= 0]
    if not found:
        return -1, -1
    at = min(found)
    start = at - 1 if raw[at : at + 1] == b"\n" and raw[at - 1 : at] == b"\r" else at
    return start, at + 1 + (2 if raw[at + 1 : at + 3] == b"\r\n" else 1)


def _split_head(raw: bytes) -> tuple[bytes, bytes]:
    start, _ = _blank_line(raw)
    if start < 0:
        return raw, b""
    return raw[:start], raw[start:]


def _head_of(raw: bytes) -> bytes:
    """The header block alone, at most MAX_HEAD_BYTES (cut at a line end)."""
    head = raw[:MAX_HEAD_BYTES]
    start, _ = _blank_line(head)
    if start >= 0:
        return head[:start] + b"\n\n"
    end = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    return head[: end or len(head)] + b"\n"


def _fields(head: bytes) -> list[bytes]:
    """Header fields with their folded continuation lines."""
    fields: list[list[bytes]] = []
    for line in head.splitlines():  # bytes.splitlines: at LF, CRLF and CR, like the parser
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1].append(line)
        else:
            fields.append([line])
    return [b"\n".join(lines) for lines in fields]


def _structure_too_large(raw: bytes) -> bool:
    """Whether the parser would build more structure than is safe: its cost grows with the
    number of lines, of parts (lines starting with "--") and of containers (mentions of
    multipart/ and message/), and with lines × the boundaries open around them. Lines are
    counted as the parser splits them, at a bare CR as at LF and CRLF."""
    if _line_count(raw) > MAX_LINES:
        return True
    if raw.count(b"\n--") + raw.count(b"\r--") > MAX_BOUNDARY_LINES:
        return True
    lowered = raw.lower()
    if lowered.count(b"multipart/") + lowered.count(b"message/") > MAX_CONTAINERS:
        return True
    return _nesting_work(raw, lowered) > MAX_NESTED_LINES


def _nesting_work(raw: bytes, lowered: bytes) -> int:
    """An upper bound of the parser's boundary matches, found without parsing: each line is
    matched against every boundary open around it. A boundary opens only after the
    Content-Type declaring it, which names "multipart/" and "boundary", so a line has at most
    as many open around it as there are declarations before it (each
    message/delivery-status adds a match of its own)."""
    marks: list[tuple[int, int]] = []
    for kind, needle in enumerate((b"multipart/", b"boundary", b"message/delivery-status")):
        # The first and the last are at most MAX_CONTAINERS (checked before); past as many
        # mentions of "boundary", the count of "multipart/" bounds the declarations.
        at, found = lowered.find(needle), 0
        while at >= 0 and found <= MAX_CONTAINERS:
            marks.append((at, kind))
            found += 1
            at = lowered.find(needle, at + len(needle))
    marks.sort()
    seen, work, start = [0, 0, 0], 0, 0
    for at, kind in [*marks, (len(raw), 0)]:
        work += _line_count(raw, start, at) * (min(seen[0], seen[1]) + seen[2])
        seen[kind] += 1
        start = at
    return work


def _header_values(message) -> dict[str, list[str]]:
    """The values of the fields analysed here, as written (encoded words not decoded), at
    most MAX_FIELD characters; Authentication-Results one more, so that a cut field is known.
    Of the Authentication-Results, only the run of fields at the top of them: the first one
    and those directly below it (see ``_trusted_results``)."""
    fields: dict[str, list[str]] = {}
    results = "authentication-results"
    run = "before"  # of Authentication-Results: "before" the first, "in" the run, "after" it
    for name, value in message.raw_items():
        key = name.strip().lower()
        if key == results:
            if run == "after":
                continue
            run = "in"
        elif run == "in":
            run = "after"
        if key in _KEEP and len(fields.get(key, ())) < MAX_AUTH_FIELDS:
            unfolded = str(value).replace("\r", "").replace("\n", "")
            cut = MAX_FIELD + 1 if key == results else MAX_FIELD
            fields.setdefault(key, []).append(_clean(unfolded)[:cut])
    return fields


def _first(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def _clean(value: str) -> str:
    """Undecodable bytes (kept by the parser as surrogates) become U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def _decoded(name: str, value: str | None) -> str:
    if value is None:
        return ""
    try:
        return str(default.header_factory(name, value))
    except Exception:  # the header parser has its own bugs on hostile input
        return value


def _parse_addresses(name: str, value: str) -> tuple[list[Address], list[str], str]:
    """(addresses with a domain, defect names, the value as decoded text)."""
    try:
        if name == "return-path":
            display, spec = parseaddr(value)
            local, _, domain = spec.rpartition("@")
            return ([Address(display, local, domain)] if local and domain else []), [], value
        header = default.header_factory(name, value)
        addresses = [a for a in header.addresses if a.domain]
        return addresses, [type(d).__name__ for d in header.defects], str(header)
    except Exception:  # the header parser has its own bugs on hostile input
        return [], ["InvalidHeaderDefect"], value


def _as_mail_programs_read(value: str, parsed: list[Address]) -> list[Address]:
    """The mailboxes of a header as written, read as mail programs read them (Engine's
    ``mailboxes``: the address in the last angle brackets, the rest the name), when that reading
    finds other addresses than the stdlib's (``parsed``, the same list object otherwise)."""
    found = []
    for display, spec in mailboxes(value):
        local, _, domain = spec.rpartition("@")
        if local and domain:
            with contextlib.suppress(ValueError):
                found.append(Address(_one_line(_decoded("subject", display)), local, domain))
    same = [(a.username, a.domain) for a in found] == [(a.username, a.domain) for a in parsed]
    return parsed if same or not found else found


def _shown_address(address: Address) -> str:
    spec = f"{address.username}@{address.domain}"
    return f"{address.display_name} <{spec}>" if address.display_name else spec


def _address_text(address: Address) -> str:
    """What Engine.check_address reads: "display" <local@domain>, quoting made harmless."""
    local = re.sub(r"[\s\"<>@,;:\\()\[\]]", "_", address.username) or "_"
    display = re.sub(r"[\"\\<>]", "", address.display_name)
    return f'"{display}" <{local}@{address.domain}>' if display else f"{local}@{address.domain}"


@lru_cache(maxsize=65536)
def _host(text: str | None) -> str | None:
    try:
        return canonical.canonical_host((text or "").strip())
    except (InvalidIdentifier, UnicodeError, ValueError):
        return None


def _decode(payload: bytes, charset: str | None) -> str:
    try:
        return payload.decode(charset or "utf-8", "replace")
    except (LookupError, ValueError):
        return payload.decode("utf-8", "replace")


def _trusted_results(values: list[str], from_domain: frozenset[str]) -> dict[str, str]:
    """method -> result from the receiving server's Authentication-Results (``values``: the
    run of fields at the top, see ``_header_values``), for the From domain written as one of
    ``from_domain``.

    The topmost field is the one the receiving server added last, and its authserv-id is
    trusted. Of that server's fields only those directly below it count: a server writes its
    fields together (one, or one per milter), while a field the sender forged with its
    authserv-id sits below at least the server's own Received line and the sender's other
    headers. For each method the topmost of them reporting it decides, so that no lower field
    can replace its result.

    Within one field a failure outranks a pass for SPF and DMARC (a second result of either is
    text the sender had the server copy), then any other result; for DKIM an aligned pass wins
    (a message may carry several signatures), then "fail". A field that cannot be read to its
    end (a quote or comment left open by copied text, or cut at MAX_FIELD) confirms nothing:
    its methods are "unreadable" unless they failed."""
    found: dict[str, str] = {}
    trusted = None
    for value in values[:MAX_AUTH_FIELDS]:
        server, results, complete = _read_authentication_results(value)
        trusted = trusted if trusted is not None else server
        if server != trusted:
            break
        here: dict[str, str] = {}
        for method, result, props in results:
            if method == "dmarc" and not _names_domain(props.get("header.from"), from_domain):
                result = "other_domain"
            elif method == "dkim" and result == "pass" and not _aligned(props, from_domain):
                result = "unaligned"
            rank = _DKIM_RANK if method == "dkim" else _RANK
            if method not in here or rank.get(result, 1) > rank.get(here[method], 1):
                here[method] = result
        if not complete:
            for method in ("spf", "dkim", "dmarc"):
                if here.get(method) != "fail":
                    here[method] = _UNREADABLE
        for method, result in here.items():
            found.setdefault(method, result)  # a field above decided it already
    return found


def _names_domain(value: str | None, domains: frozenset[str]) -> bool:
    """Whether a result's header.from names the From domain (or names none)."""
    return value is None or value.lower().strip() in domains


def _aligned(props: dict[str, str], domains: frozenset[str]) -> bool:
    """Whether a DKIM signature's domain is the From domain, its parent or a subdomain of it;
    a result that names no signing domain is not aligned."""
    signer = props.get("header.d") or props.get("header.i", "").rpartition("@")[2]
    signer = signer.lower().strip(".")
    return bool(signer) and any(
        signer == domain or domain.endswith("." + signer) or signer.endswith("." + domain)
        for domain in domains
    )


def parse_authentication_results(value: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """RFC 8601: ("mx.example.vn", [("dmarc", "fail", {"header.from": "quangninh.gov.vn"})])."""
    server, results, _ = _read_authentication_results(value)
    return server, results


def _read_authentication_results(value: str):
    """(authserv-id, [(method, result, properties)], whether the field was read to its end)."""
    complete = len(value) <= MAX_FIELD
    pieces, closed = _resinfo_words(value[:MAX_FIELD])
    head = pieces[0]
    server = head[0][0].lower() if head else ""
    results = []
    for words in pieces[1:]:
        pairs = _pairs(words)
        if not pairs or pairs[0][0] != 0:
            continue  # "none", or a piece that does not start with method=result
        _, method, result = pairs[0]
        props = {key.lower(): val for _, key, val in pairs[1:]}
        results.append((method.split("/")[0].lower(), result.lower(), props))
    return server, results, complete and closed


def _resinfo_words(value: str) -> tuple[list[list[tuple[str, int]]], bool]:
    """A field split at the ";" outside quoted strings and comments (RFC 8601 2.2, RFC 5322
    3.2), each piece as its words: (text, where its first quoted string starts or -1).
    Comments, nested, are dropped; quoted strings are opaque and unquoted; a backslash escapes
    the next character in both. A receiving server copies the sender's text into both
    ("domain of \"a); dmarc=pass (\"@evil.com"), so a quoted string inside a comment is
    opaque too. Also whether every quoted string and comment was closed."""
    pieces: list[list[tuple[str, int]]] = [[]]
    word: list[str] = []
    quote_at, in_word = -1, False
    depth, quoted, escaped = 0, False, False

    def end_word():
        nonlocal word, quote_at, in_word
        if in_word:
            pieces[-1].append(("".join(word), quote_at))
        word, quote_at, in_word = [], -1, False

    for char in value:
        if escaped:
            escaped = False
            if not depth:
                word.append(char)
        elif char == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            if char == '"':
                quoted = False
            elif not depth:
                word.append(char)
        elif char == '"':
            quoted = True
            if not depth:
                quote_at = len(word) if quote_at < 0 else quote_at
                in_word = True
        elif depth:
            depth += {"(": 1, ")": -1}.get(char, 0)
        elif char == "(":
            end_word()
            depth = 1
        elif char == ";":
            end_word()
            pieces.append([])
        elif char.isspace():
            end_word()
        else:
            word.append(char)
            in_word = True
    end_word()
    return pieces, not (quoted or depth or escaped)


def _pairs(words: list[tuple[str, int]]) -> list[tuple[int, str, str]]:
    """(index of the word it starts at, key, value) of each "key=value" among ``words``,
    spaces around "=" allowed; the "=" of a key is never inside a quoted string."""
    found = []
    at = 0
    while at < len(words):
        start = at
        text, quote_at = words[at]
        at += 1
        equals = text.find("=")
        if equals >= 0 and (quote_at < 0 or equals < quote_at):
            key, value = text[:equals], text[equals + 1 :]
        elif at < len(words) and words[at][0].startswith("=") and words[at][1] != 0:
            key, value = text, words[at][0][1:]
            at += 1
        else:
            continue
        if not value and at < len(words):
            value = words[at][0]
            at += 1
        if key:
            found.append((start, key, value))
    return found


@lru_cache(maxsize=8192)
def _shown_host(text: str) -> str | None:
    match = _LINK.search(text)
    if match is None:
        return None
    if match.group("url"):
        link = parse(match.group("url").rstrip(_TRAILING))
        return link.host if link and not link.is_ip else None
    host = match.group("host").lower()
    return _host(host) if is_known_suffix(host) else None


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
