"""Bounces: delivery status notifications (RFC 3464 multipart/report) that mail servers send
back to CHINHTHONG_MAIL_FROM, read from a Maildir.

Each DSN names the email it is about by the original's Message-ID, which is signed per
Delivery row (delivery/messages.py), so a bounce finds its row and nobody can forge one for
another row. A failed recipient makes the row a permanent failure with the server's status and
diagnostic. Every message is read once: once handled it moves from new/ to cur/ with the
"seen" flag (as a mail reader marks it), and messages already seen are never read again.
"""

import email
import email.policy
import logging
import re
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path

from django.utils.translation import gettext as _

from chinhthong.config import maildir
from chinhthong.config.refusals import Refused
from chinhthong.delivery import services
from chinhthong.delivery.messages import delivery_id_from

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024  # a bounce quoting a large message is read this far
_OUR_ID = re.compile(rb"<ct\.\d+\.[0-9a-f]{16}@[^>\s]+>")


@dataclass
class Summary:
    read: int = 0  # messages read from the Maildir
    reports: int = 0  # of which delivery status notifications
    failures: int = 0  # failed recipients matched to a delivery of ours
    recorded: int = 0  # deliveries newly marked as bounced

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Failure:
    delivery_id: int
    reason: str


def read_maildir(path) -> Summary:
    root = Path(path)
    if not all((root / sub).is_dir() for sub in ("new", "cur", "tmp")):
        raise Refused(
            _("%(path)s is not a Maildir (it needs new/, cur/ and tmp/).") % {"path": root},
            code="not_maildir",
        )
    summary = Summary()
    for file in maildir.unseen(root):
        try:
            raw = _read(file)
        except FileNotFoundError:  # another reader took it meanwhile
            continue
        summary.read += 1
        is_report, failures = failures_in(raw)
        summary.reports += int(is_report)
        for failure in failures:
            summary.failures += 1
            summary.recorded += int(services.record_bounce(failure.delivery_id, failure.reason))
        maildir.mark_seen(root, file)
    return summary


def _read(file: Path) -> bytes:
    with open(file, "rb") as stream:
        return stream.read(MAX_BYTES)


def failures_in(raw: bytes) -> tuple[bool, list[Failure]]:
    """Whether ``raw`` is a delivery status notification, and its failed recipients of
    deliveries of ours."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.get_content_type() != "multipart/report":
        return False, []
    status = original = None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status" and status is None:
            status = part
        elif kind in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = part
    if status is None:
        return False, []
    delivery_id = _original_delivery(original, raw)
    if delivery_id is None:
        return True, []
    reasons = [_reason(block) for block in _recipient_blocks(status) if _failed(block)]
    return True, [Failure(delivery_id, reason) for reason in reasons[:1]]


def _recipient_blocks(part) -> list:
    blocks = part.get_payload()
    if isinstance(blocks, list):
        return blocks[1:]  # the first block is about the message, the others each recipient
    return []


def _failed(block) -> bool:
    return str(block.get("Action", "")).strip().lower() == "failed"


def _reason(block) -> str:
    status = " ".join(str(block.get("Status", "")).split())
    diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
    recipient = " ".join(str(block.get("Final-Recipient", "")).split())
    return "; ".join(p for p in (status, diagnostic, recipient) if p)[:1500]


def _original_delivery(original, raw: bytes) -> int | None:
    found = None
    if original is not None:
        if original.get_content_type() == "message/rfc822":
            inner = original.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, EmailMessage):
                found = inner.get("Message-ID")
        else:
            headers = BytesHeaderParser(policy=email.policy.default).parsebytes(
                original.get_payload(decode=True) or b""
            )
            found = headers.get("Message-ID")
    if found:
        return delivery_id_from(str(found))
    quoted = _OUR_ID.search(raw)  # a report that quotes the original some other way
    return delivery_id_from(quoted.group().decode("ascii")) if quoted else None
