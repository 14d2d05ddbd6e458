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
that carries them stays unknown (forgers add them to look genuine). And the From line only
with proof: anyone can write one, so an official From is official only when the receiving
server's Authentication-Results confirm it (DMARC passed, or SPF or DKIM passed for its
domain); without them the message only claims to come from it (``_authentication``).

Authentication-Results (RFC 8601): the topmost field is the one the receiving server added
last, and its authserv-id is trusted. Proof comes from that field alone. The fields of the
same server directly below it (the run) may only count against the sender, with their
failures: a server writes its fields together (one, or one per milter), but a field the
sender forged with its authserv-id may sit directly below the server's own too (Gmail writes
its field directly above the sender's headers; RFC 8601 section 5 has a border server remove
such fields, and not every server does). A field lower down, below the server's Received
line, counts for nothing. Fields are read per RFC 8601 and RFC 5322: quoted strings and
comments, in which the server copies text the sender chose, are opaque, and within one field
a failure of SPF or DMARC outranks a pass. Left open: a server that writes no field at all
leaves the sender's forged one on top (docs/security.md).

Senders are read as mail programs read them, from the header as written: Engine's
``mailboxes`` (the address in the last angle brackets is the mailbox), not the stdlib's
decoding, which decodes encoded words inside an address; a From line naming several mailboxes
is never official; a domain is official only as written (``mailboxes.written_as``), not folded
as IDNA folds a link's host.
"""

import re
import time
from email.headerregistry import Address

from chinhthong.verify.mail_archives import Budget, inspect_attachment
from chinhthong.verify.mail_attachments import attachment_names
from chinhthong.verify.mail_authentication import (
    MAX_AUTH_FIELDS,
    UNREADABLE,
    proven,
    trusted_results,
)
from chinhthong.verify.mail_headers import (
    HEADER_DEFECTS,
    JUDGED_FIELDS,
    KEPT_FIELDS,
    PARSER,
    address_text,
    as_mail_programs_read,
    decode_text,
    decoded,
    first_value,
    header_values,
    host_of,
    one_line,
    parse_addresses,
    shown_address,
)
from chinhthong.verify.mail_links import LinkReading, shown_host
from chinhthong.verify.mail_structure import (
    MAX_FIELD,
    MAX_HEAD_BYTES,
    head_of,
    header_fields,
    line_count,
    split_head,
    structure_too_large,
)
from chinhthong.verify.mailboxes import written_as
from chinhthong.verify.results import ChannelRef, Reason, Result, Verdict, decide, reason

MAX_BYTES = 25 * 1024 * 1024  # larger messages: sender checked, nothing else
MAX_HEADERS = 500  # header fields kept from it
MAX_DEPTH = 20
MAX_PARTS = 500
MAX_TEXT = 1024 * 1024  # characters of one text or HTML part searched for links
MAX_TEXT_TOTAL = 4 * 1024 * 1024
MAX_ADDRESSES = 5  # addresses judged from one header
MAX_REASONS = 50
MAX_SECONDS = 3.0  # after this, remaining parts are not examined
LABEL_LENGTH = 160

_BASE64_DEFECTS = frozenset(
    {"InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect"}
)
_DISPLAYED_ADDRESS = re.compile(r"[\w.+-]{1,64}@((?:[\w-]{1,63}\.){1,6}[\w-]{2,24})")


def check_message(engine, raw: bytes) -> Result:
    """The verdict on one raw message; never raises."""
    try:
        if isinstance(raw, str):  # a message pasted as text
            raw = raw.encode("utf-8", "surrogateescape")
        return _Analysis(engine, bytes(raw)).run()
    except Exception as exc:  # the last guard: a broken message is a finding, not a crash
        found = reason("malformed", Verdict.SUSPICIOUS, detail=type(exc).__name__)
        return decide("(email)", "email", [found])


class _Analysis(LinkReading):
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
        self.link_count = 0  # links of the message judged (mail_links.py)
        self.attachment_count = 0
        self.body_read = False

    # --- the whole message --------------------------------------------------------------------
    def run(self) -> Result:
        headers_only = False
        raw = self.raw
        if len(raw) > MAX_BYTES:
            self.add("too_large", Verdict.SUSPICIOUS, limit=str(MAX_BYTES // (1024 * 1024)))
            raw, headers_only = head_of(raw), True
        raw = self._bounded_headers(raw)
        if not headers_only and structure_too_large(raw):
            self.add("too_complex", Verdict.SUSPICIOUS)
            headers_only = True
        message = self._parse(head_of(raw) if headers_only else raw, headers_only)
        if message is not None:
            self._guard(self._headers, message)
            if not headers_only:
                self.body_read = True
                self._guard(self._body, message)
        if self.defects:
            self.add("malformed", Verdict.SUSPICIOUS, detail=", ".join(sorted(self.defects)))
        return self._result()

    def _parse(self, raw: bytes, headers_only: bool):
        try:
            return PARSER.parsebytes(raw, headersonly=headers_only)
        except Exception as exc:  # a parser failure (deep recursion): keep what the headers say
            self.defects.add(type(exc).__name__)
        try:
            return PARSER.parsebytes(head_of(raw), headersonly=True)
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
        reasons = list(dict.fromkeys(self.reasons))[: MAX_REASONS - 1]
        if self.body_read or not reasons:
            reasons.append(self._checked())
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

    def _checked(self) -> Reason:
        """What was judged of the whole message: its sender, how many links and attachments.
        A message read only up to its headers has a reason saying so (too_large, too_complex),
        so it has this one only when it has no other."""
        counts = {"links": str(self.link_count), "attachments": str(self.attachment_count)}
        if not self.from_text:
            return reason("email_checked_no_sender", Verdict.UNKNOWN, **counts)
        sender = self.from_text
        if len(sender) > LABEL_LENGTH:
            sender = sender[: LABEL_LENGTH - 1] + "…"
        return reason("email_checked", Verdict.UNKNOWN, sender=sender, **counts)

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
        head, body = split_head(raw)
        if len(head) <= MAX_HEAD_BYTES and line_count(head) < MAX_HEADERS:
            return raw
        fields = header_fields(head[: MAX_HEAD_BYTES * 4])
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
            wanted = name.decode("ascii", "replace") in KEPT_FIELDS
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
        if _headers_too_large(list(message.raw_items())):  # a sender longer than is read
            self.add("headers_too_large", Verdict.SUSPICIOUS)
        fields = header_values(message)
        self.subject = one_line(decoded("subject", first_value(fields, "subject")))
        if len(fields.get("from", ())) > 1:
            self.defects.add("DuplicateFromHeader")  # programs disagree on which one they show
        senders = self._from(first_value(fields, "from"))
        for name in ("sender", "return-path"):
            value = first_value(fields, name)
            if value and value.strip() not in ("<>", ""):
                checked, _ = self._check_addresses(name, value, limit=1)
                self.parts.extend(result for _, result in checked)
        self._authentication(senders, fields.get("authentication-results", []))
        self._reply_to(senders, first_value(fields, "reply-to"))

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
        addresses, defects, decoded = parse_addresses(name, value)
        self.defects.update(d for d in defects if d in HEADER_DEFECTS)
        if name != "return-path":
            # The mailboxes as written, read as mail programs read them, not as the stdlib
            # recovers from a header breaking the grammar ("vanphong@quangninh.gov.vn
            # <x@evil.com>" is x@evil.com) nor with the encoded words it decodes inside an
            # address (x@=?utf-8?q?quangninh.gov.vn?=, which RFC 2047 section 5 forbids).
            read = as_mail_programs_read(value, addresses)
            if read is not addresses:  # shown as read, not as the stdlib decoded it
                decoded = ", ".join(shown_address(address) for address in read)
            addresses = read
        checked: list[tuple[Address | None, Result]] = [
            (address, self._judge(self._mailbox(address), address_text(address), "address"))
            for address in addresses[:limit]
        ]
        if not addresses:
            text = one_line(value)[:MAX_FIELD]
            checked.append((None, self._judge(self.engine.check_address, text, "address")))
            if "@" in decoded and "@" not in value:  # =?utf-8?q?vanphong=40quangninh.gov.vn?=
                decoded = value
        return checked, one_line(decoded)

    def _mailbox(self, address: Address):
        """The engine's check of one parsed address, given its parts as parsed: a name no
        mailbox has (a backslash, a quote) is judged as written, not as address_text shows it."""
        spec = f"{address.username}@{address.domain}"
        return lambda text: self.engine.check_mailbox(text, address.display_name, spec)

    def _display_name_address(self, address: Address | None, result: Result) -> None:
        """ "admin@quangninh.gov.vn" <someone@gmail.com>: the name shows another address, or
        another site, as a reader reads the name (``shown_host``: "Craig R.Hughes" shows no
        site). An official site or address, or a look-alike of one, is an imitation; another
        address is suspicious, a reader takes it for the sender's; another site is a note
        ("CNET News.com" <news@newsletter.online.com>: a brand sending through its service)."""
        if address is None or not address.display_name or result.verdict is Verdict.OFFICIAL:
            return
        match = _DISPLAYED_ADDRESS.search(address.display_name)
        shown = host_of(match.group(1)) if match else shown_host(address.display_name)
        real = host_of(address.domain)
        if not shown or not real or self._same_site(shown, real):
            return
        official = self.index.mail_domain_for(shown) or self.index.website_for(shown)
        imitated = official[0] if official else self._imitated(shown)
        shown_text = match.group(0) if match else shown
        if imitated is not None:
            ref = imitated if official else imitated.for_sender()
            self.add(
                "display_name_address",
                Verdict.IMPERSONATION,
                shown=shown_text,
                address=address.addr_spec,
            )
            self.imitated.append(ref)
        elif match:
            self.add(
                "display_name_address",
                Verdict.SUSPICIOUS,
                shown=shown_text,
                address=address.addr_spec,
            )
        else:
            self.add("display_name_site", Verdict.UNKNOWN, shown=shown, address=address.addr_spec)

    def _official_sender(self, address: Address | None):
        """(mail channel, registered domain) when the address is on an official mail domain."""
        if address is None:
            return None
        domain = host_of(address.domain)
        if not domain or not written_as(one_line(address.domain), domain):
            return (
                None  # x@ｑｕａｎｇｎｉｎｈ.gov.vn: folded, another domain (mailboxes.written_as)
            )
        ref = self.index.mail_addresses.get(f"{address.username}@{domain}".lower())
        return (ref, domain) if ref else self.index.mail_domain_for(domain)

    def _authentication(self, senders, values: list[str]) -> None:
        """What the receiving server's Authentication-Results say of the From domain. An
        official From line is official only with proof (``proven``): without it the message
        only claims to come from the official domain, and its From part is not official."""
        if not senders or senders[0][0] is None:
            return
        address, result = senders[0]
        official = self._official_sender(address)
        # The results name the From domain as the server read it: as written. Only a domain
        # written as its canonical form (mailboxes.written_as) is also matched in ASCII.
        written = one_line(address.domain).lower()
        canonical_domain = host_of(address.domain)
        forms = {written}
        if canonical_domain and written_as(written, canonical_domain):
            forms.add(canonical_domain)
        domain = canonical_domain if canonical_domain in forms else written
        found = trusted_results(values, frozenset(forms))
        if not official:
            failed = [m.upper() for m in ("spf", "dkim", "dmarc") if found.get(m) == "fail"]
            if failed:
                self.add("auth_failed", Verdict.SUSPICIOUS, domain=domain, checks=", ".join(failed))
            return
        ref, registered = official
        if found.get("dmarc") == "fail":
            forged = reason("forged_official_sender", Verdict.IMPERSONATION, domain=registered)
            self._not_confirmed(result, forged, ref)
            self.imitated.insert(0, ref)
        elif UNREADABLE in found.values():
            unreadable = reason("unreadable_authentication", Verdict.SUSPICIOUS, domain=registered)
            self._not_confirmed(result, unreadable)
        elif not proven(found) and found.get("spf") == "fail":
            failed = reason("unverified_official_sender", Verdict.SUSPICIOUS, domain=registered)
            self._not_confirmed(result, failed)
        elif not proven(found):
            # No results at all: a From line written by hand, a copy from a Sent folder.
            code = "unconfirmed_official_sender" if values else "unauthenticated_sender"
            claim = {"address": address.addr_spec, "domain": registered, "agency": ref.agency_name}
            self._not_confirmed(result, reason(code, Verdict.UNKNOWN, **claim))

    def _not_confirmed(self, result: Result, found: Reason, imitated=None) -> None:
        """The From part ``result`` is not official: ``found`` says why."""
        self.reasons.append(found)
        kept = [r for r in result.reasons if r.verdict is not Verdict.OFFICIAL]
        self.parts[self.parts.index(result)] = decide(
            result.input, "address", [*kept, found], lookalike_of=imitated
        )

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
                shown = address.addr_spec if address is not None else one_line(value)[:200]
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
        if _headers_too_large(list(part.raw_items())):
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
            text = decode_text(payload[:MAX_TEXT], part.get_content_charset())
            self.text_left -= len(text)
            if content_type == "text/html":
                self._html_links(text)
            else:
                self._text_links(text)
        if names or not (is_text or content_type.startswith(("multipart/", "message/"))):
            self.attachment_count += 1
            found = inspect_attachment(
                name, payload, self.budget, label=content_type, aliases=tuple(names[1:])
            )
            self.reasons.extend(found)


def _headers_too_large(fields: list[tuple[str, str]]) -> bool:
    """Whether a part's header block is abusive: more fields or bytes than a message's own
    may have, or a field that decides the verdict (a sender, the structure, an attachment's
    name) longer than is read of it. A long field nothing here reads is no finding: receiving
    servers write their own (Microsoft's X-Microsoft-Antispam-Message-Info, routinely longer
    than 2,048 characters)."""
    if len(fields) > MAX_HEADERS:
        return True
    size = 0
    for name, value in fields:
        size += len(name) + len(value)
        if len(value) > MAX_FIELD and name.strip().lower() in JUDGED_FIELDS:
            return True
    return size > MAX_HEAD_BYTES
