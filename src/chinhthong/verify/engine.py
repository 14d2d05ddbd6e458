"""The verification engine: "is this official?" for a link, a domain, a Facebook page, a
sender address or a forwarded text. One engine per registry snapshot and blocklist; it is
never changed, only replaced, so any number of threads may share it."""

import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote

import idna

from chinhthong.verify import apps, canonical, facebook, phones
from chinhthong.verify.blocklist import EMPTY, Blocklist
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.domains import is_known_suffix, readable
from chinhthong.verify.hosts import HostAnalyser
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.lookalike import normalise
from chinhthong.verify.results import Reason, Result, Verdict, decide, reason
from chinhthong.verify.text import fold
from chinhthong.verify.urls import (
    SCRIPT_SCHEMES,
    WEB_SCHEMES,
    Link,
    parse,
    scheme_of,
    tricks,
    unwrap,
)

MAX_INPUT = 100_000  # characters of pasted text examined
MAX_PARTS = 200  # links and addresses taken from one text
MAX_REDIRECTS = 3
MAX_MAILBOXES = 5  # mailboxes judged from one sender line
MAX_DISPLAY = 1000  # characters of a display name searched for addresses

# An address starts where a run of the characters a local part may hold starts, and is at
# most as long as RFC 5321 allows (64 before the @, 63 a label): without the look-behind and
# the bounds, a long run without an @ was retried from each of its characters, and 10,000
# of them held the interpreter for 0.13 s (bench/attack.py).
_ADDRESS = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]{1,64}"
    r"@[\w\u00C0-\u1EF9-]{1,63}(?:\.[\w\u00C0-\u1EF9-]{1,63}){1,126}",
    re.UNICODE,
)
_LINK = re.compile(
    r"(?:(?:https?|javascript|data|vbscript):[^\s<>\"'\]\)]+"
    r"|(?<![@\w.-])(?:[\w\u00C0-\u1EF9-]+\.)+[a-zA-Z\u00C0-\u1EF9-]{2,}(?:[/?#][^\s<>\"'\]\)]*)?)",
    re.UNICODE,
)


# reason codes for an app or account: (registered, not registered)
_APP_CODES = {
    "app": ("official_app", "app_not_registered"),
    "zalo_oa_id": ("official_zalo", "zalo_not_registered"),
    "youtube": ("official_account", "account_not_registered"),
    "tiktok": ("official_account", "account_not_registered"),
}


class Engine:
    def __init__(
        self,
        index: RegistryIndex,
        blocklist: Blocklist = EMPTY,
        known_sites: dict[str, str] | None = None,
    ):
        """``known_sites``: registrable domain -> whose site it is, for sites the editors know
        are not official and imitate no one (their own name is not compared with official
        names)."""
        self.index = index
        self.blocklist = blocklist
        self.hosts = HostAnalyser(index, blocklist, known_sites)
        self._accounts_seen: dict[tuple[str, str], object] = {}

    # --- entry point --------------------------------------------------------------------------
    def check(self, text: str, kind: str = "auto") -> Result:
        text = text.strip()[:MAX_INPUT]
        kind = detect_kind(text) if kind == "auto" else kind
        if kind == "address":
            return self.check_address(text)
        if kind == "text":
            return self.check_text(text)
        if kind == "phone":
            return self.check_phone(text)
        return self.check_url(text, kind)

    # --- links ----------------------------------------------------------------------------------
    def check_url(self, text: str, kind: str = "url", depth: int = 0) -> Result:
        scheme = scheme_of(text)
        if scheme in SCRIPT_SCHEMES:
            return Result(
                text,
                kind,
                Verdict.SUSPICIOUS,
                (reason("script_url", Verdict.SUSPICIOUS, scheme=scheme),),
            )
        if scheme == "mailto":
            return self.check_address(text.split(":", 1)[1].split("?", 1)[0])
        link = parse(text)
        if link is None:
            return Result(text, kind, Verdict.UNKNOWN, (reason("unparseable", Verdict.UNKNOWN),))
        reasons: list[Reason] = []
        source = self.blocklist.url_source(link.href) if self.blocklist.urls else None
        if source:
            # Listed: nothing else can make it safer, and phishing links rarely share a host,
            # so the look-alike analysis of a fresh host is not spent on them.
            reasons.append(reason("blocklisted_url", Verdict.MALICIOUS, source=source))
            return decide(text, kind, reasons)
        lookalike = None
        if link.username or "\\" in text:
            lookalike = self._tricks(link, reasons)
        target = unwrap(link) if depth < MAX_REDIRECTS else None
        if target:
            inner = self.check_url(target, "url", depth + 1)
            reasons.append(
                reason("redirect_unwrapped", Verdict.UNKNOWN, wrapper=link.host, target=target)
            )
            reasons.extend(inner.reasons)
            return decide(text, kind, reasons, inner.channel, lookalike or inner.lookalike_of)
        if link.host in facebook.HOSTS:
            return self._facebook(text, kind, link, reasons)
        if link.host in apps.HOSTS:
            app = apps.app_of(link)
            if app:
                return self._app(text, kind, app, reasons)
        found = self.hosts.analyse(link.host, is_ip=link.is_ip)
        imitated = lookalike or (found.imitated.for_link() if found.imitated else None)
        if not reasons and len(found.reasons) == 1:
            # Most links: the host's one finding is the answer (what decide() would give).
            return Result(
                text, kind, found.reasons[0].verdict, found.reasons, found.channel, imitated
            )
        reasons.extend(found.reasons)
        return decide(text, kind, reasons, found.channel, imitated)

    def _tricks(self, link: Link, reasons: list[Reason]):
        for trick in tricks(link):
            shown = _host_or_none(trick.shown)
            if not shown or link.host == shown or link.host.endswith("." + shown):
                continue
            official = self.index.website_for(shown)
            if official:
                reasons.append(
                    reason(trick.code, Verdict.IMPERSONATION, shown=readable(shown), host=link.host)
                )
                return official[0]
        return None

    def _facebook(self, text: str, kind: str, link: Link, reasons: list[Reason]) -> Result:
        page = facebook.page_of(link)
        if page is None:
            reasons.append(reason("facebook_unresolved", Verdict.UNKNOWN))
            return decide(text, kind, reasons)
        index = self.index
        ref = index.facebook_ids.get(page.page_id) if page.page_id else None
        key = canonical.facebook_match_key(page.username) if page.username else ""
        ref = ref or index.facebook_keys.get(key)
        if ref:
            reasons.append(
                reason(
                    "official_facebook_page",
                    Verdict.OFFICIAL,
                    channel=ref.name,
                    agency=ref.agency_name,
                )
            )
            return decide(text, kind, reasons, channel=ref)
        pending = index.pending.get(("facebook", key)) if key else None
        if pending:
            reasons.append(reason("pending_review", Verdict.UNKNOWN, channel=pending.name))
            return decide(text, kind, reasons)
        imitated = self._lookalike(self.index.facebook_brands, "facebook", key) if key else None
        if imitated:
            official_key = imitated.identifier.split("/", 1)[-1]
            reasons.append(
                reason(
                    "facebook_lookalike",
                    Verdict.IMPERSONATION,
                    username=page.username,
                    official=official_key,
                    channel=imitated.name,
                )
            )
            return decide(text, kind, reasons, lookalike_of=imitated)
        reasons.append(reason("facebook_not_registered", Verdict.UNKNOWN))
        return decide(text, kind, reasons)

    def _lookalike(self, brands, site: str, key: str):
        """The registered account on ``site`` whose name ``key`` imitates, or None."""
        seen = self._accounts_seen
        if (site, key) in seen:
            return seen[(site, key)]
        if len(seen) >= 100_000:
            seen.clear()
        found = seen[(site, key)] = self._lookalike_uncached(brands, key)
        return found

    @staticmethod
    def _lookalike_uncached(brands, key: str):
        name = normalise(key)
        for form in name.forms():
            if form in brands.brands:
                return brands.brands[form].key.for_link()
        for official, final, brand in brands.long_names:
            # s4tquangninhofficial, thongtinchinhphuvn: the official name and more.
            if official in key or final in name.final:
                return brand.key.for_link()
        match = brands._typo(name)
        return match.brand.key.for_link() if match else None

    def _app(self, text: str, kind: str, app: apps.AppRef, reasons: list[Reason]) -> Result:
        official_code, unregistered_code = _APP_CODES.get(app.kind, _APP_CODES["app"])
        account = app.kind in ("youtube", "tiktok")
        ref = self.index.apps.get((app.kind, app.value))
        if ref:
            reasons.append(
                reason(
                    official_code,
                    Verdict.OFFICIAL,
                    channel=ref.name,
                    agency=ref.agency_name,
                    store=app.store,
                )
            )
            return decide(text, kind, reasons, channel=ref)
        pending = self.index.pending.get((app.kind, app.value))
        imitated = None
        if account and not pending:
            brands = self.index.account_brands.get(app.kind)
            key = canonical.handle_match_key(app.value)
            imitated = self._lookalike(brands, app.kind, key) if brands else None
        if pending:
            reasons.append(reason("pending_review", Verdict.UNKNOWN, channel=pending.name))
        elif imitated:
            reasons.append(
                reason(
                    "account_lookalike",
                    Verdict.IMPERSONATION,
                    app=app.value,
                    store=app.store,
                    official=imitated.identifier.lstrip("@"),
                    channel=imitated.name,
                )
            )
            return decide(text, kind, reasons, lookalike_of=imitated)
        else:
            reasons.append(
                reason(unregistered_code, Verdict.UNKNOWN, app=app.value, store=app.store)
            )
        return decide(text, kind, reasons)

    # --- phone numbers --------------------------------------------------------------------------
    def check_phone(self, text: str) -> Result:
        number = phones.phone_number(text)
        if number is None:
            return Result(text, "phone", Verdict.UNKNOWN, (reason("unparseable", Verdict.UNKNOWN),))
        shown = text.strip()
        ref = self.index.phones.get(number)
        if ref:
            found = reason(
                "official_phone",
                Verdict.OFFICIAL,
                phone=shown,
                channel=ref.name,
                agency=ref.agency_name,
            )
            return decide(text, "phone", [found], channel=ref)
        pending = self.index.pending.get(("phone", number))
        if pending:
            found = reason("pending_review", Verdict.UNKNOWN, channel=pending.name)
        elif number in phones.EMERGENCY:
            found = reason(
                "emergency_number", Verdict.UNKNOWN, phone=number, service=phones.EMERGENCY[number]
            )
        else:
            found = reason("phone_not_registered", Verdict.UNKNOWN, phone=shown)
        return decide(text, "phone", [found])

    # --- senders --------------------------------------------------------------------------------
    def check_address(self, text: str) -> Result:
        """A sender as mail programs read it (see ``mailboxes``): one mailbox, or several,
        which are no one official sender. A mailto link's recipients are those before its
        "?" and those its query adds (to, cc, bcc)."""
        found = _mailto_recipients(text) if _is_mailto(text) else mailboxes(text)
        if len(found) > 1:
            parts = [
                self.check_mailbox(_address_label(display, address), display, address)
                for display, address in found[:MAX_MAILBOXES]
            ]
            several = reason(
                "several_senders",
                Verdict.SUSPICIOUS,
                addresses=", ".join(address for _, address in found[:MAX_MAILBOXES]),
            )
            return decide(text, "address", [several], parts=parts)
        display, address = found[0] if found else ("", text.strip())
        return self.check_mailbox(text, display, address)

    def check_mailbox(self, text: str, display: str, address: str) -> Result:
        """One mailbox ``address`` (local@domain) shown with the name ``display``; ``text`` is
        what the answer calls it."""
        if "=?" in address:
            return self._encoded_address(text, display, address)
        local, _, domain_text = address.rpartition("@")
        domain = _host_or_none(domain_text)
        if not local or not domain:
            return Result(
                text, "address", Verdict.UNKNOWN, (reason("unparseable", Verdict.UNKNOWN),)
            )
        address = f"{local}@{domain}"
        shown = f"{local}@{readable(domain)}"
        reasons: list[Reason] = []
        unusable = _unusable_characters(local)
        if unusable:
            # evil.com\@quangninh.gov.vn: no mailbox on the official domain has this name,
            # and a browser given it opens evil.com.
            reasons.append(
                reason("malformed_address", Verdict.SUSPICIOUS, address=shown, characters=unusable)
            )
        ref = None if unusable else self.index.mail_addresses.get(address.lower())
        official = None if unusable or ref else self.index.mail_domain_for(domain)
        if (ref or official) and not written_as(_bare_domain(domain_text), domain):
            channel, registered = (ref, domain) if ref else official
            return self._disguised_domain(text, local, domain_text, registered, channel)
        if ref:
            reasons.append(
                reason(
                    "official_mail_address", Verdict.OFFICIAL, address=shown, agency=ref.agency_name
                )
            )
            return decide(text, "address", reasons, channel=ref)
        if official:
            ref, registered = official
            reasons.append(
                reason(
                    "official_mail_domain",
                    Verdict.OFFICIAL,
                    address=shown,
                    domain=registered,
                    agency=ref.agency_name,
                )
            )
            return decide(text, "address", reasons, channel=ref)
        found = self.hosts.analyse(domain)
        imitated = found.imitated.for_sender() if found.imitated else None
        for item in found.reasons:
            if item.verdict is Verdict.IMPERSONATION and imitated is not None:
                reasons.append(
                    reason(
                        "lookalike_sender",
                        Verdict.IMPERSONATION,
                        address=shown,
                        domain=readable(domain),
                        official=item.params_dict.get("official", ""),
                        channel=imitated.name,
                    )
                )
            if item.verdict not in (Verdict.OFFICIAL, Verdict.UNKNOWN) or item.code == "known_site":
                reasons.append(item)
        named = self._display_name_claim(display)
        if named is not None:
            reasons.append(_display_name_reason(display, shown, named))
            imitated = imitated or named
        in_local = self._official_domain_in(local)
        if in_local is not None:
            # vanthu.chinhphu.vn@gmail.com: the official domain before the @ proves nothing,
            # the mailbox is on the domain after it.
            channel, written = in_local
            reasons.append(
                reason(
                    "official_domain_in_local_part",
                    Verdict.IMPERSONATION,
                    address=shown,
                    official=written,
                    domain=readable(domain),
                    channel=channel.name,
                )
            )
            imitated = imitated or channel
        if not any(r.verdict is not Verdict.UNKNOWN for r in reasons):
            reasons.append(reason("address_not_registered", Verdict.UNKNOWN, address=shown))
        return decide(text, "address", reasons, lookalike_of=imitated)

    @staticmethod
    def _disguised_domain(text: str, local: str, written: str, registered: str, ref) -> Result:
        """x@ｑｕａｎｇｎｉｎｈ.gov.vn, x@quangninh。gov。vn, x@quang\u200bninh.gov.vn: a domain
        that IDNA folds into an official one, as a browser folds a link's host. Mail programs,
        mail servers and DMARC checkers take the domain as written, which is another domain
        (or none at all), so the address only looks official."""
        written = _visible(_bare_domain(written))
        found = reason(
            "disguised_sender_domain",
            Verdict.IMPERSONATION,
            address=f"{_visible(local)}@{written}",
            domain=written,
            official=readable(registered),
            channel=ref.name,
        )
        return decide(text, "address", [found], lookalike_of=ref)

    def _encoded_address(self, text: str, display: str, address: str) -> Result:
        """vanphong@=?utf-8?q?quangninh.gov.vn?=: an encoded word inside an address, which RFC
        2047 section 5 forbids. Some programs decode it and show an official address; the
        receiving server checks the domain as written, so it is no real address."""
        reasons = [reason("encoded_address", Verdict.SUSPICIOUS, address=_visible(address)[:300])]
        named = self._display_name_claim(display)
        if named is not None:
            reasons.append(_display_name_reason(display, _visible(address)[:300], named))
        return decide(text, "address", reasons, lookalike_of=named)

    def _display_name_claim(self, display: str):
        """The official channel whose agency, name or mail address a display name claims."""
        if "@" in display:
            # "vanphong@quangninh.gov.vn" <xacminh@evil.top>, or the same unquoted: an
            # official address as the name.
            for match in _ADDRESS.finditer(display[:MAX_DISPLAY]):
                domain = _host_or_none(match.group().rpartition("@")[2])
                official = self.index.mail_domain_for(domain) if domain else None
                if official:
                    return official[0]
        # "chinhphu.vn" <thongbao@outlook.com>: an official domain as the name.
        in_name = self._official_domain_in(display[:MAX_DISPLAY])
        if in_name is not None:
            return in_name[0]
        folded = fold(display)
        if len(folded) < 3:
            return None
        names = self.index.official_names
        if folded in names:
            return names[folded]
        padded = f" {folded} "
        for name, ref in names.items():
            if " " in name and f" {name} " in padded:
                return ref
        return None

    def _official_domain_in(self, text: str):
        """(channel, domain as written) of an official website or mail domain written in
        ``text`` (a display name, a local part), or None."""
        for match in _DOMAIN_WRITTEN.finditer(text.lower()):
            written = match.group().strip(".-_")
            # hotro-dichvucong.gov.vn: the domain may follow a word and a hyphen.
            starts = [0, *(m.end() for m in re.finditer(r"[-_]", written.split(".", 1)[0]))]
            for start in starts:
                host = _host_or_none(written[start:])
                found = host and (self.index.website_for(host) or self.index.mail_domain_for(host))
                if found:
                    return found[0], found[1]
        return None

    # --- texts ----------------------------------------------------------------------------------
    def check_text(self, text: str) -> Result:
        parts: list[Result] = []
        seen: set[str] = set()
        found_addresses = list(_ADDRESS.finditer(text))
        addresses = {m.group() for m in found_addresses}
        # Where links and addresses were found: digits inside them are not phone numbers.
        spans = [m.span() for m in found_addresses]
        for match in _LINK.finditer(text):
            spans.append(match.span())
            item = match.group().rstrip(".,;:!?")
            if item in seen or any(item in a for a in addresses) or len(parts) >= MAX_PARTS:
                continue
            seen.add(item)
            if scheme_of(item) or _looks_like_host(item):
                parts.append(self.check_url(item))
        for address in sorted(addresses)[: MAX_PARTS - len(parts)]:
            parts.append(self.check_address(address))
        for start, end, number in phones.numbers_in(text):
            inside = any(a <= start < b or a < end <= b for a, b in spans)
            if inside or number in seen or len(parts) >= MAX_PARTS:
                continue
            seen.add(number)
            parts.append(self.check_phone(number))
        if not parts:
            return Result(text, "text", Verdict.UNKNOWN, (reason("unparseable", Verdict.UNKNOWN),))
        return decide(text, "text", [], parts=parts)


def detect_kind(text: str) -> str:
    if "\n" in text:
        return "text"
    scheme = scheme_of(text)
    if scheme in WEB_SCHEMES or scheme in SCRIPT_SCHEMES:
        return "url"
    if scheme == "mailto" or ("@" in text and "/" not in text.split("@", 1)[0]):
        # A sender line pasted with spaces ("x@evil.com (vanphong@quangninh.gov.vn)",
        # "x@evil.com, vanphong@quangninh.gov.vn") is one sender, not a text whose official
        # part would outrank the stranger's mailbox.
        sender = " " not in text or "<" in text or is_sender_line(text)
        return "address" if sender else "text"
    if phones.phone_number(text):
        return "phone"
    if " " in text.strip():
        return "text"
    return "url" if "/" in text else "domain"


def _display_name_reason(display: str, address: str, named) -> Reason:
    """The name shown claims an official body the address does not belong to."""
    return reason(
        "display_name",
        Verdict.IMPERSONATION,
        name=display,
        address=address,
        agency=named.agency_name,
    )


def _host_or_none(text: str) -> str | None:
    try:
        return canonical.canonical_host(text.strip().rstrip(">").strip())
    except InvalidIdentifier:
        return None


def _looks_like_host(item: str) -> bool:
    host = re.split(r"[/?#]", item, maxsplit=1)[0]
    return is_known_suffix(host.lower()) and not host.replace(".", "").isdigit()


# A domain written in a name or a local part: labels joined by dots (vanthu.chinhphu.vn).
_DOMAIN_WRITTEN = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# A header name pasted with the sender ("From: …").
_HEADER_NAME = re.compile(r"\s*(?:from|sender|reply-to|return-path)\s*:\s*", re.IGNORECASE)
# What a real mailbox name holds: letters, digits and the RFC 5322 atext symbols, less those
# that turn an address into a link to another site ("/", "?", "#", "\\") or route mail
# elsewhere ("%"); quoting, spaces and a second "@" are legal in RFC 5322 and found in no
# mailbox anyone is given.
_MAILBOX_NAME = re.compile(r"[\w.!$&'*+=^`{|}~-]+")


def mailboxes(text: str) -> list[tuple[str, str]]:
    """[(display name, address)] of each mailbox a sender line names, as mail programs read
    it: mailboxes are separated by commas outside quotes, comments and angle brackets; the
    address of one is in its last angle brackets and all the rest is the name a reader sees
    (``vanphong@quangninh.gov.vn <x@evil.com>`` is x@evil.com, whatever Python's parseaddr
    says); without brackets, a comment after the address is the name. Parts with no "@"
    (``Nguyen, Van A <…>``) name no mailbox."""
    found = []
    for group, piece in _sender_pieces(text):
        if "@" not in piece:
            continue
        opening, closing, comment = _last_brackets(piece)
        if opening >= 0:
            address = piece[opening + 1 : closing]
            display = piece[:opening] + " " + piece[closing + 1 :]
        elif comment >= 0:
            address, display = piece[:comment], piece[comment + 1 : -1]
        else:
            address, display = piece, ""
        display = _unquoted(display)
        if group:
            display = f"{group} {display}".strip()
        found.append((display, address.strip()))
    return found


def _sender_pieces(text: str) -> list[tuple[str, str]]:
    """[(group name or "", piece)] of a sender line without its header name."""
    text = text.strip()[:MAX_INPUT]
    header = _HEADER_NAME.match(text)
    if header:
        text = text[header.end() :]
    return _top_level_split(text)


def is_sender_line(text: str) -> bool:
    """Whether one line reads as a sender line (``From: A <a@b.vn>, c@d.vn (C)``, a group
    ``Nhóm: a@b.vn, c@d.vn;``) and not as a sentence: every piece between commas holds a
    mailbox in angle brackets after its name, or addresses alone with comments around them
    (``a@b.vn c@d.vn``, which mail programs read as no mailbox anyone has)."""
    pieces = _sender_pieces(text)
    if not pieces:
        return False
    for _, piece in pieces:
        if "@" not in piece:
            return False
        bare = "".join(char for _, char in _structural(piece) if char not in "()")
        if "<" not in bare and not all("@" in word for word in bare.split()):
            return False
    return True


def _structural(text: str):
    """(position, character) of each character outside quoted strings and comments, and of
    the parentheses that open and close a comment at the top level (RFC 5322 3.2.2-3.2.4)."""
    quoted = escaped = False
    depth = 0
    for at, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\" and (quoted or depth):
            escaped = True
        elif char == '"' and not depth:
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
            if depth == 1:
                yield at, char
        elif char == ")" and depth:
            depth -= 1
            if not depth:
                yield at, char
        elif not depth:
            yield at, char


def _top_level_split(text: str) -> list[tuple[str, str]]:
    """``text`` split at the commas and semicolons outside quotes, comments and angle
    brackets, each piece with the name of the group it is in (RFC 5322 3.4: ``name:`` opens a
    group, ``;`` closes it), or "". The group's name is shown with its mailboxes."""
    pieces, start, angle, group = [], 0, False, None
    for at, char in _structural(text):
        if char in "<>":
            angle = char == "<"
        elif angle:
            continue
        elif char in ",;":
            pieces.append((group or "", text[start:at]))
            start = at + 1
            if char == ";":
                group = None
        elif char == ":" and group is None:
            group = _unquoted(text[start:at])
            start = at + 1
    pieces.append((group or "", text[start:]))
    return [(group, piece.strip()) for group, piece in pieces if piece.strip()]


def _last_brackets(piece: str) -> tuple[int, int, int]:
    """(opening "<" of the last angle brackets outside quotes and comments, and its ">" or
    the end, or -1, -1), and where a comment closing the piece opens (or -1)."""
    opening, closing, comment, comment_end = -1, -1, -1, -1
    for at, char in _structural(piece):
        if char == "(":
            comment = at
        elif char == ")":
            comment_end = at
        elif char == "<":
            opening, closing = at, -1
        elif char == ">" and opening >= 0 and closing < 0:
            closing = at
    if opening >= 0 and closing < 0:
        closing = len(piece)
    closes_with_comment = comment > 0 and comment_end == len(piece) - 1
    return opening, closing, comment if closes_with_comment else -1


def _unquoted(display: str) -> str:
    display = " ".join(display.split())
    if len(display) >= 2 and display[0] == display[-1] == '"':
        display = re.sub(r"\\(.)", r"\1", display[1:-1])
    return display.strip()


def _unusable_characters(local: str) -> str:
    """The characters of a mailbox name (the part before the last "@") that no real mailbox
    has, each shown once ("\\ /"), or ""."""
    local = unicodedata.normalize("NFC", local)  # letters typed with combining accents
    if _MAILBOX_NAME.fullmatch(local):
        return ""
    unusable = dict.fromkeys(_MAILBOX_NAME.sub("", local))
    return " ".join(
        c if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}" for c in unusable
    )


def _is_mailto(text: str) -> bool:
    return text.lstrip()[:7].lower() == "mailto:"


def _mailto_recipients(text: str) -> list[tuple[str, str]]:
    """The mailboxes a mailto link writes to: those before its "?" and those its query adds
    (``?to=``, ``cc=``, ``bcc=``, percent-encoded or not, RFC 6068)."""
    target, _, query = text.split(":", 1)[1].partition("?")
    found = mailboxes(target)
    for field in query.split("&")[:MAX_PARTS]:
        name, _, value = field.partition("=")
        if unquote(name).strip().lower() in ("to", "cc", "bcc"):
            found.extend(mailboxes(unquote(value)))
    return found


def _address_label(display: str, address: str) -> str:
    return f'"{display}" <{address}>' if display else address


def _bare_domain(text: str) -> str:
    """A domain as written, trimmed as ``_host_or_none`` trims it before folding it."""
    return text.strip().rstrip(">").strip()


def written_as(written: str, host: str) -> bool:
    """Whether the mail domain ``written`` is the canonical ``host`` as mail programs and DMARC
    checkers read it: every label in ASCII (any case), or the U-label of an xn-- label. A form
    that only IDNA/UTS-46 folds into ``host`` (full-width letters, "。" for a dot, zero-width
    characters, capital letters outside ASCII, a trailing dot) is another domain."""
    if written.isascii():
        return written.lower() == host
    labels, ascii_labels = written.split("."), host.split(".")
    return len(labels) == len(ascii_labels) and all(
        label.lower() == ascii_label
        if label.isascii()
        else ascii_label.startswith("xn--") and label == _u_label(ascii_label)
        for label, ascii_label in zip(labels, ascii_labels, strict=True)
    )


@lru_cache(maxsize=4096)
def _u_label(ascii_label: str) -> str:
    try:
        return idna.decode(ascii_label)
    except (idna.IDNAError, UnicodeError, ValueError):
        return ascii_label


def _visible(text: str) -> str:
    """``text`` with the characters a reader cannot see (zero-width, soft hyphen, controls,
    spaces other than the plain one) named as U+XXXX."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        c if c == " " or (c.isprintable() and not c.isspace()) else f"[U+{ord(c):04X}]"
        for c in text
    )
