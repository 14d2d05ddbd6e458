"""The mail tipline: staff and residents forward a suspicious message to an address such as
kiemtra@…; the province's mail server delivers it to a Maildir (CHINHTHONG_TIPLINE_MAILDIR);
each run (`chinhthong gateway tipline DIR`, and the scheduler's task every minute) reads the
messages not yet seen, judges each forwarded message with the email check
(checks.services.check_email, as POST /api/v1/check/email does) and sends the answer in the
same run (tipline_reply.py) through the delivery email transport.

Each message is answered once (tipline_claims.py), its sender at most
CHINHTHONG_TIPLINE_REPLIES_PER_HOUR times an hour; automatic mail and our own is never answered
(tipline_screening.py). A message handled moves to cur/ with the "seen" flag; one that cannot
be read (too large, malformed beyond reading) moves to the Maildir's `.Refused` folder, as the
reports mailbox does, and is not tried again. A reply the mail server did not take leaves the
message where it is for the next run, up to tipline_claims.MAX_ATTEMPTS runs. A database or
disk failure stops the run and leaves the message for the next one.
"""

import email
import email.policy
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import DatabaseError
from django.utils.translation import gettext as _

from chinhthong.checks import services as checks
from chinhthong.config import maildir
from chinhthong.delivery.transports.base import HandoverRefused, TransportError
from chinhthong.delivery.transports.email import EmailTransport
from chinhthong.gateway import authentication, tipline_reply
from chinhthong.gateway import tipline_claims as claims
from chinhthong.gateway.models import Forwarded, TiplineStatus
from chinhthong.gateway.tipline_forwarded import find_forwarded
from chinhthong.gateway.tipline_screening import NOTES, why_not_answered
from chinhthong.reports.mail_reading import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)


@dataclass
class Counts:
    answered: int = 0  # replies handed to the mail server (verdicts and "how to forward")
    limited: int = 0  # judged, not answered: the sender had enough replies
    ignored: int = 0  # automatic mail, bounces, lists, our own replies
    repeated: int = 0  # answered or decided by an earlier run
    deferred: int = 0  # the mail server did not take the reply: the next run tries again
    failed: int = 0  # the mail server refused the reply for good
    refused: int = 0  # set aside in the .Refused folder
    busy: int = 0  # held by another run at this moment
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Recipient:  # what the email transport needs of whom it writes to
    name: str
    email: str


def answer_maildir(path) -> Counts:
    """Answer every message of the Maildir not yet seen; Refused when ``path`` is not one."""
    root = maildir.root_of(path)
    counts = Counts()
    server_down = False
    for file in maildir.unseen(root):
        try:
            outcome, note = answer_file(file, send=not server_down)
        except FileNotFoundError:  # another run took it meanwhile
            continue
        if note:
            counts.notes.append(f"{file.name}: {note}")
        setattr(counts, outcome, getattr(counts, outcome) + 1)
        if outcome == "refused":
            maildir.set_aside(root, file)
        elif outcome == "deferred":
            server_down = True  # the rest waits for the next run rather than for timeouts
        elif outcome != "busy":
            maildir.mark_seen(root, file)
    return counts


def answer_file(file: Path, *, send: bool = True) -> tuple[str, str]:
    """What became of one message: a Counts field name (or "busy": another run holds it),
    and a note for the operator."""
    if file.stat().st_size > MAX_MESSAGE_BYTES:
        return "refused", _too_large()
    with open(file, "rb") as stream:
        raw = stream.read(MAX_MESSAGE_BYTES + 1)
    if len(raw) > MAX_MESSAGE_BYTES:
        return "refused", _too_large()
    return answer_message(raw, send=send)


def _too_large() -> str:
    return _("The message is larger than %(mb)s MB.") % {"mb": MAX_MESSAGE_BYTES // 2**20}


def answer_message(raw: bytes, *, send: bool = True) -> tuple[str, str]:
    if maildir.absurd_parameters(raw):
        return "refused", _("A header of the message has too many parameters to be read.")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        sender = maildir.sender(message)[1]
        why = why_not_answered(message, sender)
        key = maildir.source_key(message, raw)
    except (DatabaseError, OSError):
        raise
    except Exception:  # a message no parser expected: set aside, the run goes on
        log.exception("tipline: a message could not be read")
        return "refused", _("The message could not be read.")
    if why:
        return "ignored", str(NOTES[why])
    if not send:  # the mail server did not answer earlier in this run
        return "deferred", ""
    row = claims.claim(key, sender)
    if isinstance(row, str):
        return ("repeated" if row == "done" else "busy"), ""
    try:
        return _judge_and_answer(message, row, sender)
    except (DatabaseError, OSError):
        raise
    except Exception as exc:  # one message must not stop every run after it
        log.exception("tipline: a message could not be answered")
        claims.record(row, TiplineStatus.FAILED, forwarded="", verdict="", error=repr(exc))
        return "refused", _("The message could not be read.")


def _judge_and_answer(message, row, sender: str) -> tuple[str, str]:
    forward = find_forwarded(message)
    verdict = ""
    if forward.kind != Forwarded.NONE:
        try:
            # A forwarded message is whatever the forwarder made it, proof of its sender
            # included: no Authentication-Results in it is believed (a forger's own
            # "dmarc=pass" came back "official" to whoever the forward named as sender).
            result = checks.check_email(authentication.keep_trusted(forward.raw, frozenset()))
        except checks.InputRejected as exc:
            claims.record(row, TiplineStatus.FAILED, forwarded=forward.kind, verdict="")
            return "refused", str(exc)
        verdict = str(result.verdict)
    if claims.over_limit(row, forward.kind):
        claims.record(row, TiplineStatus.LIMITED, forwarded=forward.kind, verdict=verdict)
        return "limited", ""
    if forward.kind == Forwarded.NONE:
        reply = tipline_reply.compose_how_to(message)
    else:
        reply = tipline_reply.compose(message, forward, result)
    return _send(reply, row, sender, forwarded=forward.kind, verdict=verdict)


def _send(reply, row, sender: str, *, forwarded: str, verdict: str) -> tuple[str, str]:
    handed: list[bool] = []

    def handover() -> bool:
        handed.append(
            claims.hand_over(
                row, forwarded=forwarded, verdict=verdict, reply_id=reply.headers["Message-ID"]
            )
        )
        return handed[-1]

    try:
        EmailTransport().send(reply, Recipient("", sender), handover=handover)
    except HandoverRefused:  # another run took the message over meanwhile
        return "busy", ""
    except TransportError as exc:
        if exc.permanent:
            claims.refused_for_good(row, exc.reason, handed_over=bool(handed and handed[-1]))
            return "failed", exc.reason
        return claims.not_taken(
            row, exc.reason, handed_over=bool(handed and handed[-1])
        ), exc.reason
    return "answered", ""


def summary(counts: Counts, directory) -> str:
    return _(
        "%(answered)s answered, %(limited)s not answered (too many from the sender), "
        "%(ignored)s automatic, %(repeated)s already answered, %(deferred)s to try again, "
        "%(failed)s refused by the mail server, %(refused)s set aside in %(folder)s."
    ) % {
        **{k: v for k, v in counts.as_dict().items() if k not in ("notes", "busy")},
        "folder": maildir.refused_folder(directory),
    }
