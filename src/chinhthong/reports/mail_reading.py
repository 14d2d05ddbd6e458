"""What a message forwarded to the reports mailbox holds for a report: the forwarded content
(an attached message, else the body after a forward marker of Gmail, Outlook, Thunderbird or
Apple Mail, in English or Vietnamese, else the body itself), its claim (subject and text without
quoting marks, capped), its links (text and HTML hrefs), its pictures (screenshots when they pass
the image check, else kept as attachments with a note) and its date. Reading only: storing is
mail_intake.py's."""

import base64
import datetime as dt
import email
import email.policy
import email.utils
import io
import logging
import os
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from html import unescape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from selectolax.lexbor import LexborHTMLParser

from chinhthong.config.refusals import Refused
from chinhthong.reports import evidence, intake, links
from chinhthong.reports.models import EvidenceKind
from chinhthong.verify.mail_headers import decode_text

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 25 * 2**20
MAX_ATTACHMENTS = 10  # files other than screenshots kept from one message
MAX_DEPTH = 8  # messages forwarded inside messages
MAX_NESTING = 50  # parts inside parts
MAX_HTML_TAGS = 10_000  # beyond this, hrefs are read by a regular expression
MIN_SCREENSHOT_SIDE = 100  # smaller pictures are logos, icons, tracking pixels

IMAGE_NAME = re.compile(r"\.(png|jpe?g|gif|webp|heic|heif|bmp|tiff?)$", re.IGNORECASE)
_LINK = re.compile(r"https?://[^\s<>\"'`]{1,2048}", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]{1,2048})"|'([^']{1,2048})')""", re.IGNORECASE)
_BLOCKS = "p, div, li, tr, h1, h2, h3, h4, h5, h6, blockquote, table, ul, ol, pre, hr"
_TRAILING = ".,;:!?)]}>'\"»”’"
FORWARD_MARKER = re.compile(
    r"^[ \t>]*(?:-{2,}[ \t]*(?:forwarded message|original message|forwarded e-?mail|"
    r"tin nhắn đã chuyển tiếp|thư đã chuyển tiếp|thư chuyển tiếp)[ \t]*-{2,}"
    r"|begin forwarded message:)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
FORWARD_HEADER_LINE = re.compile(r"^\*?([^\W\d_][^:\n]{0,24}?)\*?:[ \t]*(.*)$")
FORWARD_HEADER_NAMES = {
    "from", "date", "sent", "subject", "to", "cc", "bcc", "reply-to",
    "từ", "người gửi", "ngày", "thời gian", "đã gửi", "tiêu đề", "chủ đề", "tới", "đến", "gửi",
    "người nhận",
}  # fmt: skip
_SUBJECT_NAMES = {"subject", "tiêu đề", "chủ đề"}
_DATE_NAMES = {"date", "sent", "ngày", "đã gửi", "thời gian"}
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:fwd?|tr|wg|rv|re|chuyển tiếp|trả lời)\s*:\s*)+", re.I)
# What mail programs add under what one writes; not part of any claim.
_SENT_FROM = re.compile(
    r"^\s*(?:sent from my .{1,40}|get outlook for .{1,40}|gửi từ .{1,40} của tôi"
    r"|được gửi từ .{1,40})\s*$",
    re.IGNORECASE,
)


@dataclass
class Reading:
    """What one message gives a report."""

    claim: str = ""
    links: list[str] = field(default_factory=list)
    screenshots: list[intake.Upload] = field(default_factory=list)
    attachments: list[intake.Upload] = field(default_factory=list)
    seen_at: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return bool(self.links or self.screenshots or len(self.claim) >= intake.MIN_CLAIM_CHARS)


# --- what a message holds ----------------------------------------------------------------------


def read_message(message: EmailMessage) -> Reading:
    reading = Reading()
    forwarded = [part for part, depth in _parts(message) if depth == 0 and is_message(part)]
    texts = []
    hrefs: list[str] = []
    if forwarded:
        note = _clean_note(body_text(message, hrefs))
        for inner in forwarded:
            original = inner_message(inner)
            if original is None:
                continue
            subject = _subject(original)
            body = _strip_forwards(body_text(original, hrefs))[1]
            texts.append(_with_subject(subject, body))
            reading.seen_at = reading.seen_at or _when(original.get("Date"))
    else:
        note, subject, date, body = _split_forward(body_text(message, hrefs))
        note = _clean_note(note)
        if body is not None:
            texts.append(_with_subject(subject, body))
            reading.seen_at = _when(date)
    claim = "\n\n".join(t for t in texts if t) or note
    if not claim and not forwarded:
        claim = _SUBJECT_PREFIX.sub("", _subject(message))
    reading.claim = _cap(claim)
    _take_links(reading, [*_text_links(note), *_text_links("\n".join(texts)), *hrefs])
    _take_files(reading, message)
    return reading


def _parts(message: EmailMessage, depth: int = 0, level: int = 0):
    """Every leaf part and every attached message, with how many messages deep it is."""
    if depth > MAX_DEPTH or level > MAX_NESTING:
        return
    if not message.is_multipart():
        yield message, depth
        return
    for part in message.iter_parts():
        if is_message(part):
            yield part, depth
            inner = inner_message(part)
            if inner is not None:
                yield from _parts(inner, depth + 1, level + 1)
        else:
            yield from _parts(part, depth, level + 1)


def is_message(part) -> bool:
    return part.get_content_type() == "message/rfc822"


def inner_message(part) -> EmailMessage | None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else payload
    if not isinstance(inner, EmailMessage):
        return None
    if str(part.get("Content-Transfer-Encoding", "") or "").strip().lower() == "base64":
        # An attached message encoded in base64, as RFC 2046 forbids and some programs do: the
        # parser took the encoded text for a message without headers.
        data = base64.b64decode(inner.as_string(), validate=False)
        return email.message_from_bytes(data, policy=email.policy.default)
    return inner


def body_text(message: EmailMessage, hrefs: list[str]) -> str:
    """The message's own text (plain text preferred); the links of its HTML added to hrefs."""
    html = message.get_body(preferencelist=("html",))
    html_text = ""
    if html is not None:
        source = content(html)
        hrefs.extend(_html_links(source))
        html_text = _html_text(source)
    plain = message.get_body(preferencelist=("plain",))
    text = content(plain) if plain is not None else html_text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content(part) -> str:
    """A text part's words, decoded only with a charset mail uses (mail_headers.text_charset)."""
    payload = part.get_payload(decode=True)
    return decode_text(payload, part.get_content_charset()) if isinstance(payload, bytes) else ""


def _html_tree(source: str):
    tree = LexborHTMLParser(source)
    for node in tree.css("script, style, head, .gmail_signature, [class*=signature]"):
        node.decompose()
    return tree


def _html_links(source: str) -> list[str]:
    if source.count("<") > MAX_HTML_TAGS:
        return [next(g for g in m.groups() if g) for m in _HREF.finditer(source)]
    return [node.attributes.get("href") or "" for node in _html_tree(source).css("a[href]")]


def _html_text(source: str) -> str:
    if source.count("<") > MAX_HTML_TAGS:
        return unescape(re.sub(r"<[^>]*>", "\n", source))
    tree = _html_tree(source)
    for node in tree.css("br"):
        node.replace_with("\n")
    for node in tree.css(_BLOCKS):  # a block starts and ends a line
        node.insert_before("\n")
        node.insert_after("\n")
    root = tree.body or tree.root
    return root.text(separator="") if root is not None else ""


def _split_forward(text: str) -> tuple[str, str, str, str | None]:
    """(the sender's note, the forwarded subject, its date, the forwarded body or None)."""
    found = FORWARD_MARKER.search(text)
    if found is None:
        return text, "", "", None
    headers, body = _strip_forwards(text[found.start() :])
    return text[: found.start()], headers.get("subject", ""), headers.get("date", ""), body


def _strip_forwards(text: str) -> tuple[dict[str, str], str]:
    """The text without forward markers and the header blocks under them; the first block's
    subject and date."""
    lines = unquote(text).split("\n")
    kept: list[str] = []
    first: dict[str, str] | None = None
    index = 0
    while index < len(lines):
        if FORWARD_MARKER.fullmatch(lines[index]):
            index, headers = _header_block(lines, index + 1)
            first = headers if first is None else first
            continue
        kept.append(lines[index])
        index += 1
    return first or {}, _without_sent_from("\n".join(kept))


def _header_block(lines: list[str], index: int) -> tuple[int, dict[str, str]]:
    headers: dict[str, str] = {}
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines):
        match = FORWARD_HEADER_LINE.match(lines[index].strip())
        if match is None or match.group(1).strip().lower() not in FORWARD_HEADER_NAMES:
            break
        name = match.group(1).strip().lower()
        if name in _SUBJECT_NAMES:
            headers["subject"] = match.group(2).strip()
        elif name in _DATE_NAMES:
            headers["date"] = match.group(2).strip()
        index += 1
    return index, headers


def unquote(text: str) -> str:
    return re.sub(r"^(?:[ \t]*>)+[ \t]?", "", text, flags=re.MULTILINE)


def _tidy(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _clean_note(text: str) -> str:
    """The forwarder's own words: without quoting marks, signature, "Sent from my phone"."""
    lines = []
    for line in unquote(text).split("\n"):
        if line.rstrip() == "--":  # "-- ", the signature's delimiter
            break
        lines.append(line)
    return _without_sent_from("\n".join(lines))


def _without_sent_from(text: str) -> str:
    return _tidy("\n".join(line for line in text.split("\n") if not _SENT_FROM.match(line)))


def _subject(message: EmailMessage) -> str:
    try:
        return " ".join(str(message.get("Subject", "") or "").split())
    except (ValueError, IndexError):
        return ""


def _with_subject(subject: str, body: str) -> str:
    subject = _SUBJECT_PREFIX.sub("", subject).strip()
    if not subject or body.startswith(subject):
        return body
    return f"{subject}\n\n{body}".strip()


def _cap(text: str) -> str:
    text = _tidy(text)
    if len(text) > intake.MAX_CLAIM_CHARS:
        return text[: intake.MAX_CLAIM_CHARS - 1].rstrip() + "…"
    return text


def _when(value) -> dt.datetime | None:
    """A Date header (or a forward's "Date:" line) as an aware time, when possible at all."""
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if timezone.is_naive(moment):  # a time without its zone: the installation's
        moment = timezone.make_aware(moment)
    now = timezone.now()
    if not (now - intake.OLDEST_SEEN < moment <= now + intake.CLOCK_SKEW):
        return None
    return moment


# --- links and files ---------------------------------------------------------------------------


def _text_links(text: str) -> list[str]:
    return [match.group().rstrip(_TRAILING) for match in _LINK.finditer(text)]


def _take_links(reading: Reading, found: list[str]) -> None:
    seen: set[str] = set()
    for href in found:
        href = href.strip()
        if not href.lower().startswith(("http://", "https://")):
            continue  # mailto:, cid:, tel:, relative links lead to no post
        try:
            link = links.read(href)
        except Refused as exc:
            reading.notes.append(exc.message)
            continue
        if link.canonical in seen:
            continue
        if len(seen) >= links.MAX_LINKS:
            reading.notes.append(
                _("Only the first %(n)s links were taken.") % {"n": links.MAX_LINKS}
            )
            return
        seen.add(link.canonical)
        reading.links.append(href)


def _take_files(reading: Reading, message: EmailMessage) -> None:
    """Pictures as screenshots, the sender's own first; other attached files as attachments.
    Small pictures (logos, icons of the message) are left in the message, kept whole."""
    candidates = [
        (part, depth)
        for part, depth in _parts(message)
        if not is_message(part) and (_is_picture(part) or part.is_attachment())
    ]
    candidates.sort(key=lambda item: item[1])  # stable: the forwarder's own pictures first
    taken: set[str] = set()
    for part, _depth in candidates:
        data = part.get_payload(decode=True) or b""
        name = _file_name(part)
        digest = evidence.sha256(data)
        if not data or digest in taken:
            continue
        taken.add(digest)
        if _is_picture(part):
            try:
                evidence.check_image(data, name)
            except Refused as exc:
                reading.notes.append(
                    _("%(problem)s It was kept as an attachment, not as a screenshot.")
                    % {"problem": exc.message}
                )
            else:
                if _small(data):
                    continue
                if len(reading.screenshots) < settings.REPORT_MAX_IMAGES:
                    reading.screenshots.append(intake.Upload(name, data, EvidenceKind.SCREENSHOT))
                    continue
                reading.notes.append(
                    _("“%(name)s”: at most %(n)s pictures in one report.")
                    % {"name": name, "n": settings.REPORT_MAX_IMAGES}
                )
        _keep_attachment(reading, name, data)


def _keep_attachment(reading: Reading, name: str, data: bytes) -> None:
    if len(reading.attachments) < MAX_ATTACHMENTS:
        reading.attachments.append(intake.Upload(name, data, EvidenceKind.ATTACHMENT))
    else:
        reading.notes.append(
            _("“%(name)s” was not kept apart (at most %(n)s files); it is in the message.")
            % {"name": name, "n": MAX_ATTACHMENTS}
        )


def _small(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as picture:
        return min(picture.size) < MIN_SCREENSHOT_SIDE


def _is_picture(part) -> bool:
    return part.get_content_maintype() == "image" or bool(IMAGE_NAME.search(_file_name(part)))


def _file_name(part) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, IndexError):
        name = ""
    name = " ".join(os.path.basename(name.replace("\\", "/")).split())
    return name[:200] or _("(no name)")
