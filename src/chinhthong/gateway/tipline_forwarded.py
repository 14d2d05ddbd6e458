"""The message someone forwarded to the tipline, as bytes the email check can judge.

Forwarded as an attachment (a message/rfc822 part, or an attached .eml file): the original
itself, with the headers its receiving server wrote. Forwarded in the text (Gmail, Outlook,
Thunderbird, Apple Mail, in English or Vietnamese): a message rebuilt from the quoted From,
Subject and Date lines and the quoted body (with the links of the HTML part). A quoted copy
carries no Authentication-Results, so an official sender in it can only be a claim, and the
check says so (``unauthenticated_sender``).

The forward markers, the header names and the text of a message's parts are read as
reports/mail_reading.py reads them (one reading of forwarded mail for both mailboxes).
"""

import base64
import binascii
import contextlib
import html
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser

from chinhthong.gateway.models import Forwarded

# Shared with the reports mailbox; see the lead's note in the report on moving them.
from chinhthong.reports.mail_reading import (
    FORWARD_HEADER_LINE,
    FORWARD_HEADER_NAMES,
    FORWARD_MARKER,
    MAX_HTML_TAGS,
    body_text,
    content,
    inner_message,
    is_message,
    unquote,
)

MAX_QUOTED_LINKS = 100  # anchors of the HTML part carried into a rebuilt message
MAX_QUOTED_CHARS = 200_000  # of quoted text carried into a rebuilt message
_FROM_NAMES = {"from", "từ", "người gửi"}
_SUBJECT_NAMES = {"subject", "tiêu đề", "chủ đề"}
_DATE_NAMES = {"date", "sent", "ngày", "đã gửi", "thời gian"}
_OUTLOOK_RULE = re.compile(r"^[ \t]*_{10,}[ \t]*$")  # Outlook's line above its header block
_MAILTO = re.compile(r"\[mailto:([^\]\s]{1,320})\]", re.IGNORECASE)  # older Outlook's From
# Where mail programs put the forwarded part of an HTML body.
_QUOTE_BLOCKS = ".gmail_quote, blockquote, #divRplyFwdMsg ~ div, .moz-forward-container"


@dataclass(frozen=True)
class Forward:
    kind: str  # a Forwarded value
    raw: bytes = b""  # the message to judge; empty when nothing was forwarded
    sender: str = ""  # its From, as written
    subject: str = ""


def find_forwarded(message: EmailMessage) -> Forward:
    attached = _attached(message)
    if attached is not None:
        return attached
    quoted = _quoted(message)
    return quoted if quoted is not None else Forward(Forwarded.NONE)


# --- forwarded as an attachment ----------------------------------------------------------------


def _attached(message: EmailMessage) -> Forward | None:
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        raw = _attached_bytes(part)
        if raw:
            inner = inner_message(part) if is_message(part) else None
            return Forward(
                Forwarded.ATTACHED,
                raw,
                sender=_field(inner, "From") if inner is not None else "",
                subject=_field(inner, "Subject") if inner is not None else "",
            )
    return None


def _attached_bytes(part) -> bytes:
    if is_message(part):
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else payload
        if not isinstance(inner, EmailMessage):
            return b""
        if str(part.get("Content-Transfer-Encoding", "") or "").strip().lower() == "base64":
            try:  # as mail_reading.inner_message
                return base64.b64decode(inner.as_string(), validate=False)
            except (binascii.Error, ValueError):  # not base64 at all: nothing readable
                return b""
        # The parser keeps no offsets; written back without refolding, the headers read as sent.
        return inner.as_bytes(policy=inner.policy.clone(refold_source="none", linesep="\r\n"))
    name = (part.get_filename() or "").lower() if part.is_attachment() else ""
    if name.endswith(".eml"):  # a saved message attached as a file
        return part.get_payload(decode=True) or b""
    return b""


def _field(message: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "") or "").split())[:500]
    except (ValueError, IndexError, TypeError):
        return ""


# --- forwarded in the text ---------------------------------------------------------------------


def _quoted(message: EmailMessage) -> Forward | None:
    hrefs: list[str] = []
    lines = unquote(body_text(message, hrefs)[:MAX_QUOTED_CHARS]).split("\n")
    start = _forward_start(lines)
    if start is None:
        return None
    index = start + 1 if FORWARD_MARKER.fullmatch(lines[start]) else start
    index, headers = _header_block(lines, index)
    body = "\n".join(lines[index:]).strip()
    rebuilt = _rebuilt(headers, body, _quoted_anchors(message))
    return Forward(
        Forwarded.QUOTED,
        rebuilt,
        sender=headers.get("from", ""),
        subject=headers.get("subject", ""),
    )


def _forward_start(lines: list[str]) -> int | None:
    """The line where the forwarded message starts: a forward marker, or a header block with
    a From and a Subject line (Outlook writes no marker, only its block under a rule)."""
    for index, line in enumerate(lines):
        if FORWARD_MARKER.fullmatch(line):
            return index
        if _header_name(line) in _FROM_NAMES:
            _end, headers = _header_block(lines, index)
            if "subject" in headers:
                return index
    return None


def _header_name(line: str) -> str:
    match = FORWARD_HEADER_LINE.match(line.strip())
    if match is None:
        return ""
    name = match.group(1).strip().lower()
    return name if name in FORWARD_HEADER_NAMES else ""


def _header_block(lines: list[str], index: int) -> tuple[int, dict[str, str]]:
    """The From, Subject and Date of the header block at ``index``, and where it ends."""
    headers: dict[str, str] = {}
    while index < len(lines) and (not lines[index].strip() or _OUTLOOK_RULE.match(lines[index])):
        index += 1
    while index < len(lines):
        name = _header_name(lines[index])
        if not name:
            break
        value = FORWARD_HEADER_LINE.match(lines[index].strip()).group(2).strip().strip("*").strip()
        for kind, names in (("from", _FROM_NAMES), ("subject", _SUBJECT_NAMES)):
            if name in names:
                headers.setdefault(kind, value[:500])
        if name in _DATE_NAMES:
            headers.setdefault("date", value[:200])
        index += 1
    return index, headers


def _quoted_anchors(message: EmailMessage) -> list[tuple[str, str]]:
    """(href, text) of the links in the HTML part's quoted message (in the whole part when
    the mail program marked no quote): a link is often only in an href."""
    part = message.get_body(preferencelist=("html",))
    if part is None:
        return []
    source = content(part)
    if source.count("<") > MAX_HTML_TAGS:
        return []
    tree = LexborHTMLParser(source)
    quoted = [a for block in tree.css(_QUOTE_BLOCKS) for a in block.css("a[href]")]
    anchors = quoted or tree.css("a[href]")
    found = []
    for node in anchors:
        href = (node.attributes.get("href") or "").strip()
        if href.lower().startswith(("http://", "https://")):
            found.append((href[:2048], " ".join(node.text().split())[:300]))
        if len(found) >= MAX_QUOTED_LINKS:
            break
    return found


def _rebuilt(headers: dict[str, str], body: str, anchors: list[tuple[str, str]]) -> bytes:
    """A message with what the quote kept: From, Subject, Date, the text and its links."""
    message = EmailMessage()
    sender = _MAILTO.sub(r"<\1>", headers.get("from", ""))
    for name, value in (("From", sender), ("Subject", headers.get("subject", ""))):
        if value:
            with contextlib.suppress(ValueError, IndexError, TypeError):
                message[name] = value  # skipped when not an address the parser reads
    if _date_readable(headers.get("date", "")):
        message["Date"] = headers["date"]
    message.set_content(body or " ")
    if anchors:
        links = "".join(
            f'<p><a href="{html.escape(href)}">{html.escape(text or href)}</a></p>'
            for href, text in anchors
        )
        message.add_alternative(f"<html><body>{links}</body></html>", subtype="html")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _date_readable(value: str) -> bool:
    if not value:
        return False
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return False
    return True
