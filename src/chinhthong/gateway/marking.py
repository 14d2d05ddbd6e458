"""What the gateway writes on a judged message: the two headers every message gets, and for a
warned verdict a warning before the subject and a banner at the top of the text.

The banner goes into the first text/plain and the first text/html part a reader sees (not into
attachments, nor into a forwarded message/rfc822 part), re-encoded in UTF-8 with the transfer
encoding the part had when that encoding can carry it. A body that cannot be read as MIME is
left as it is: the subject and the headers still warn. Rewriting the text breaks a DKIM
signature over the body, which is why banners are a policy step of their own
(docs/mail-gateway.md).
"""

import base64
import email
import email.header
import email.policy
import html
import quopri
import re
from email.header import Header
from email.message import Message

from django.utils.translation import gettext as _

from chinhthong.verify.mail_headers import text_charset
from chinhthong.verify.results import Result, Verdict

VERDICT_HEADER = "X-Chinhthong-Verdict"
REASONS_HEADER = "X-Chinhthong-Reasons"
OUR_HEADERS = (VERDICT_HEADER, REASONS_HEADER)
UNCHECKED = "unchecked"  # the fail-open verdict: the message passed without a judgement
MAX_REASON_CODES = 20
# The summary every email check adds (counts of links and attachments): no finding.
SUMMARY_CODE = "email_checked"
# Findings that make a message dangerous to open whatever its verdict: an executable dressed as
# a document is how malware arrives (a `.pdf.exe`).
DANGEROUS_CODES = frozenset({"disguised_attachment"})
_POLICY = email.policy.compat32.clone(linesep="\r\n", max_line_length=998)
_CODE = re.compile(r"[a-z0-9_.-]{1,64}")


def reason_codes(result: Result) -> list[str]:
    """The stable codes of a result and of its parts, each once, in the order found."""
    found: dict[str, None] = {}

    def walk(item: Result) -> None:
        for reason in item.reasons:
            if reason.code != SUMMARY_CODE and _CODE.fullmatch(reason.code):
                found.setdefault(reason.code, None)
        for part in item.parts:
            walk(part)

    walk(result)
    return list(found)[:MAX_REASON_CODES]


def verdict_headers(result: Result) -> list[tuple[str, str]]:
    return [
        (VERDICT_HEADER, str(result.verdict)),
        (REASONS_HEADER, ", ".join(reason_codes(result)) or "none"),
    ]


def unchecked_headers(code: str) -> list[tuple[str, str]]:
    """The fail-open headers: the message was not judged, and why."""
    return [(VERDICT_HEADER, UNCHECKED), (REASONS_HEADER, code)]


def dangerous(result: Result) -> bool:
    return result.verdict is Verdict.MALICIOUS or bool(DANGEROUS_CODES & set(reason_codes(result)))


def warning(result: Result) -> str:
    """The warning put before the subject, in the installation's language."""
    if dangerous(result):
        return _("[WARNING: dangerous]")
    if result.verdict is Verdict.IMPERSONATION:
        return _("[WARNING: impersonation]")
    return _("[WARNING: suspicious]")


def warned_subject(subject: str | None, result: Result) -> str:
    """The new Subject value, RFC 2047-encoded when it is not ASCII."""
    shown = " ".join(_decoded_subject(subject).split()) if subject else ""  # no line breaks
    text = warning(result) + (" " + shown if shown else "")
    try:
        text.encode("ascii")
    except UnicodeEncodeError:
        return Header(text, "utf-8", maxlinelen=998).encode()
    return text


def _decoded_subject(subject: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(subject)))
    except (ValueError, LookupError, UnicodeError):
        return subject


def banner_text(result: Result) -> str:
    lines = [warning(result)]
    if dangerous(result):
        lines.append(
            _(
                "This message carries a dangerous link or attachment. Do not open its "
                "attachments, do not click its links, do not reply."
            )
        )
    elif result.verdict is Verdict.IMPERSONATION:
        lines.append(
            _(
                "This message pretends to come from an official channel of the province but "
                "does not. Do not click its links and do not reply."
            )
        )
    else:
        lines.append(
            _(
                "This message shows signs of a scam. Check the sender before you click its "
                "links or open its attachments."
            )
        )
    imitated = result.lookalike_of
    if imitated is not None:
        where = imitated.url or imitated.identifier
        lines.append(
            _("The real channel: %(name)s — %(where)s") % {"name": imitated.name, "where": where}
        )
    lines.append(_("Checked by the province's mail gateway (chinhthong)."))
    return "\n".join(lines)


def bannered(
    head: bytes, body: bytes, result: Result
) -> tuple[list[tuple[str, str]], bytes] | None:
    """(changed top-level headers, new body) with the banner in the message's text, or None
    when there is no text part to put it in or the body cannot be rebuilt."""
    try:
        message = email.message_from_bytes(head + body, policy=_POLICY)
        before = _top_fields(message)
        text = banner_text(result)
        if not _insert(message, text):
            return None
        new = message.as_bytes(policy=_POLICY)
    except (ValueError, LookupError, TypeError, IndexError, AttributeError, UnicodeError):
        return None  # a body the stdlib cannot rebuild: the subject and headers still warn
    new_head, separator, new_body = new.partition(b"\r\n\r\n")
    if not separator:
        return None
    after = _top_fields(email.message_from_bytes(new_head + b"\r\n\r\n", policy=_POLICY))
    changed = [(name, value) for name, value in after.items() if before.get(name) != value]
    return changed, new_body


_MIME_FIELDS = ("Content-Type", "Content-Transfer-Encoding")


def _top_fields(message: Message) -> dict[str, str]:
    return {name: message.get(name) for name in _MIME_FIELDS if message.get(name) is not None}


def _insert(message: Message, text: str) -> bool:
    """Put ``text`` at the top of the first plain and the first HTML part; True if any."""
    done: set[str] = set()
    for part in _readable_parts(message):
        subtype = part.get_content_subtype()
        if subtype in done:
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        try:
            original = payload.decode(text_charset(part.get_content_charset()))
        except (LookupError, UnicodeDecodeError):
            continue  # words we cannot read back as they were: left as they came
        if subtype == "html":
            new = _html_banner(text) + original
        else:
            new = text + "\n" + "-" * 60 + "\n\n" + original
        _set_text(part, new)
        done.add(subtype)
    return bool(done)


def _readable_parts(message: Message):
    """text/plain and text/html parts outside attachments and forwarded messages."""
    stack = [message]
    while stack:
        part = stack.pop(0)
        if part.get_content_maintype() == "multipart":
            children = part.get_payload()
            if isinstance(children, list):
                stack[:0] = children
            continue
        if part.get_content_maintype() == "message":
            continue  # a forwarded message keeps its own words
        if part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() in ("text/plain", "text/html"):
            yield part


def _html_banner(text: str) -> str:
    lines = "<br>".join(html.escape(line) for line in text.split("\n"))
    return (
        '<div style="border:2px solid #b00020;background:#fff4f4;color:#5a0010;'
        'padding:12px;margin:0 0 16px 0;font:15px/1.5 sans-serif">'
        f"<strong>{lines}</strong></div>"
    )


def _set_text(part: Message, text: str) -> None:
    data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    if (part.get("Content-Transfer-Encoding") or "").strip().lower() == "base64":
        encoding, payload = "base64", base64.encodebytes(data).decode("ascii")
    else:  # 7bit and 8bit cannot carry the banner's UTF-8 through every relay; this can
        encoding, payload = "quoted-printable", quopri.encodestring(data).decode("ascii")
    del part["Content-Transfer-Encoding"]
    part["Content-Transfer-Encoding"] = encoding
    part.set_param("charset", "utf-8")
    part.set_payload(payload.replace("\r\n", "\n").replace("\n", "\r\n"))
