"""The verification engine: "is this official?" for a link, a domain, a Facebook page, a
sender address or a forwarded text. One engine per registry snapshot and blocklist; it is
never changed, only replaced, so any number of threads may share it."""

import re

from chinhthong.verify import apps, canonical, facebook, phones
from chinhthong.verify.blocklist import EMPTY, Blocklist
from chinhthong.verify.domains import is_known_suffix, readable
from chinhthong.verify.hosts import HostAnalyser
from chinhthong.verify.index import ACTIVE, RegistryIndex
from chinhthong.verify.lookalike import normalise
from chinhthong.verify.mailboxes import (
    ADDRESS_IN_TEXT,
    host_or_none,
    is_sender_line,
)
from chinhthong.verify.printed import key as printed_key
from chinhthong.verify.results import Reason, Result, Verdict, decide, reason
from chinhthong.verify.sender_checks import SenderChecks
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
MAX_PRINTED = 300  # no identifier a document printed is longer
MAX_PARTS = 200  # links and addresses taken from one text
MAX_REDIRECTS = 3
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


class Engine(SenderChecks):
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
        if self.index.printed and len(text) <= MAX_PRINTED:
            printed = self.index.printed.get(printed_key(text))
            if printed is not None:
                return self._as_printed(text, printed)
        kind = detect_kind(text) if kind == "auto" else kind
        if kind == "address":
            return self.check_address(text)
        if kind == "text":
            return self.check_text(text)
        if kind == "phone":
            return self.check_phone(text)
        return self.check_url(text, kind)

    def _as_printed(self, text: str, printed) -> Result:
        """An identifier as a source document printed it, where that is not the channel's real
        one: said first, with where the real channel is or that it is being confirmed."""
        channel = printed.channel
        params = {"printed": text, "document": printed.document, "channel": channel.name}
        if channel.status != ACTIVE:
            code = "printed_invalid_pending" if printed.problem == "invalid" else "printed_pending"
            return Result(text, "url", Verdict.UNKNOWN, (reason(code, Verdict.UNKNOWN, **params),))
        found = reason(
            f"printed_{printed.problem}", Verdict.UNKNOWN, real=channel.identifier, **params
        )
        # What the printed form itself is stays said: a page named one letter away from the
        # real one is whoever registered that name.
        underneath = self.check_url(text, detect_kind(text))
        return Result(
            text,
            underneath.kind,
            underneath.verdict,
            (found, *underneath.reasons),
            underneath.channel,
            underneath.lookalike_of or channel,
        )

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
            shown = host_or_none(trick.shown)
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
        words = page.username.lower().split(".")
        agency = self.index.agency_marks.match(key, words) if key else None
        if agency is not None:
            # facebook.com/congan.quangninh: an agency's name on a page the registry lacks.
            imitated = agency.key.for_link()
            found = reason(
                "facebook_agency_name",
                Verdict.IMPERSONATION,
                username=page.username,
                agency=imitated.agency_name,
            )
            return decide(text, kind, [*reasons, found], lookalike_of=imitated)
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
        shown = phones.readable(number)
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
                "emergency_number", Verdict.OFFICIAL, phone=number, service=phones.EMERGENCY[number]
            )
        else:
            found = reason("phone_not_registered", Verdict.UNKNOWN, phone=shown)
        return decide(text, "phone", [found])

    # --- texts ----------------------------------------------------------------------------------
    def check_text(self, text: str) -> Result:
        parts: list[Result] = []
        seen: set[str] = set()
        found_addresses = list(ADDRESS_IN_TEXT.finditer(text))
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
        verdicts = {p.verdict for p in parts}
        if verdicts == {Verdict.OFFICIAL, Verdict.UNKNOWN}:
            # No more official than its least known item: official links beside unknown ones
            # are how scammers dress their own.
            unknown = next(p for p in parts if p.verdict is Verdict.UNKNOWN)
            found = reason("text_partly_official", Verdict.UNKNOWN, item=unknown.input[:120])
            return Result(text, "text", Verdict.UNKNOWN, (_items(parts), found), parts=tuple(parts))
        if verdicts == {Verdict.OFFICIAL}:
            # Anyone can copy official links into a message: they make the links safe, not the
            # message ("nộp phí vào tài khoản …, chi tiết https://quangninh.gov.vn/…").
            found = reason("text_official_items", Verdict.UNKNOWN)
            return Result(text, "text", Verdict.UNKNOWN, (_items(parts), found), parts=tuple(parts))
        return decide(text, "text", [_items(parts)], parts=parts)


def _items(parts: list[Result]) -> Reason:
    return reason("text_items", Verdict.UNKNOWN, count=str(len(parts)))


def detect_kind(text: str) -> str:
    if "\n" in text:
        return "text"
    scheme = scheme_of(text)
    if scheme in WEB_SCHEMES and any(ch.isspace() for ch in text):
        # "https://dichvucong.gov.vn/ Tài khoản bị khoá, truy cập https://dvc-gov.top": words
        # after a link are a message, whose every link is judged — not the first link's path.
        return "text"
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


def _looks_like_host(item: str) -> bool:
    host = re.split(r"[/?#]", item, maxsplit=1)[0]
    return is_known_suffix(host.lower()) and not host.replace(".", "").isdigit()
