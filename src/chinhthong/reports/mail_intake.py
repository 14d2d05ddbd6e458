"""Reports that come by mail: messages forwarded to the intake mailbox, read from a Maildir as a
mail server (Postfix, Dovecot) delivers them, each taken exactly once.

For each message not yet seen: the forwarded content — an attached message (message/rfc822,
"forward as attachment"), else the body after a forward marker ("---------- Forwarded message
---------", "Begin forwarded message:", Gmail's "Tin nhắn đã chuyển tiếp", …), else the body
itself — gives the claim (its subject and text, without quoting marks, capped) and the links
(text and HTML hrefs); pictures are taken as screenshots when they pass the image check, and
kept as plain attachments, with a note, when they do not; the whole message, byte for byte,
is kept as evidence. It goes through `intake.submit` with the Message-ID (or the SHA-256 of
the message) as its source key, so a message delivered twice, or read again after a run was
stopped before it could be marked, makes one report.

A message taken (or already taken) moves to cur/ with the "seen" flag, as a mail reader marks
it. A message that cannot be a report (nothing usable in it, larger than MAX_MESSAGE_BYTES, an
automatic reply or bounce) moves to the `.Refused` folder of the Maildir, where an operator can
read it in any mail program. A database or disk failure stops the run and leaves the message
where it was, for the next run.
"""

import contextlib
import email
import email.policy
import email.utils
import hashlib
import logging
import mailbox
import os
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from pathlib import Path

import typer
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError
from django.utils.translation import gettext as _

from chinhthong.config import terminal
from chinhthong.config.refusals import Refused
from chinhthong.config.terminal import one_line
from chinhthong.reports import intake
from chinhthong.reports.mail_reading import MAX_MESSAGE_BYTES, read_message
from chinhthong.reports.models import EvidenceKind, Intake, Report

log = logging.getLogger(__name__)
MAX_PARAMETERS = 100  # in one Content-Type or Content-Disposition header
REFUSED_FOLDER = "Refused"  # the Maildir++ folder `.Refused`


@dataclass
class Counts:
    taken: int = 0  # new reports
    repeated: int = 0  # messages already taken (delivered twice, or a run stopped midway)
    refused: int = 0  # set aside in the .Refused folder
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# --- the Maildir -------------------------------------------------------------------------------


def ingest_maildir(path) -> Counts:
    """Take every message of the Maildir not yet seen; Refused when ``path`` is not one."""
    root = Path(path)
    if not all((root / sub).is_dir() for sub in ("new", "cur", "tmp")):
        raise Refused(
            _("%(path)s is not a Maildir (it needs new/, cur/ and tmp/).") % {"path": root},
            code="not_maildir",
        )
    counts = Counts()
    for file in _unseen(root):
        try:
            outcome, notes = ingest_file(file)
        except FileNotFoundError:  # another run took it meanwhile
            continue
        counts.notes.extend(f"{file.name}: {note}" for note in notes)
        if outcome == "refused":
            counts.refused += 1
            _set_aside(root, file)
        else:
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            _mark_seen(root, file)
    return counts


def _unseen(root: Path) -> list[Path]:
    new = sorted(p for p in (root / "new").iterdir() if p.is_file())
    cur = sorted(
        p for p in (root / "cur").iterdir() if p.is_file() and "S" not in p.name.partition(":2,")[2]
    )
    return [p for p in new + cur if not p.name.startswith(".")]


def _mark_seen(root: Path, file: Path) -> None:
    name, _sep, flags = file.name.partition(":2,")
    flags = "".join(sorted(set(flags) | {"S"}))
    with contextlib.suppress(FileNotFoundError):  # another run moved it
        os.rename(file, root / "cur" / f"{name}:2,{flags}")


def _set_aside(root: Path, file: Path) -> None:
    mailbox.Maildir(root, create=False).add_folder(REFUSED_FOLDER)  # made when missing
    folder = refused_folder(root)
    name, _sep, flags = file.name.partition(":2,")
    with contextlib.suppress(FileNotFoundError):
        os.rename(file, folder / "cur" / f"{name}:2,{flags.replace('S', '')}")


def refused_folder(root) -> Path:
    return Path(root) / f".{REFUSED_FOLDER}"


# --- one message -------------------------------------------------------------------------------


def ingest_file(file: Path) -> tuple[str, list[str]]:
    """ "taken", "repeated" or "refused", and notes on what was left out."""
    if file.stat().st_size > MAX_MESSAGE_BYTES:
        return "refused", [_too_large()]
    with open(file, "rb") as stream:
        raw = stream.read(MAX_MESSAGE_BYTES + 1)
    if len(raw) > MAX_MESSAGE_BYTES:
        return "refused", [_too_large()]
    return ingest_message(raw)


def _too_large() -> str:
    return _("The message is larger than %(mb)s MB.") % {"mb": MAX_MESSAGE_BYTES // 2**20}


def _absurd_parameters(raw: bytes) -> bool:
    """Whether a Content-Type or Content-Disposition header (of the message or a part) holds
    more than MAX_PARAMETERS parameters: no mail program writes that many, and Python's parser
    takes time that grows with the square of their number (200,000 held a worker for minutes)."""
    count, inside = 0, False
    for line in raw.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            count += line.count(b";") if inside else 0
        else:
            head = line[:20].lower()
            inside = head.startswith((b"content-type:", b"content-disposition:"))
            count = line.count(b";") if inside else 0
        if count > MAX_PARAMETERS:
            return True
    return False


def ingest_message(raw: bytes) -> tuple[str, list[str]]:
    if _absurd_parameters(raw):
        return "refused", [_("A header of the message has too many parameters to be read.")]
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        key = source_key(message, raw)
        if Report.objects.filter(source_key=key).exists():
            return "repeated", []
        if _automatic(message):
            return "refused", [_("An automatic message (a bounce or an automatic reply).")]
        reading = read_message(message)
        name, address = _sender(message)
    except (DatabaseError, OSError):
        raise
    except Exception:  # a message no parser expected: set aside, the run goes on
        log.exception("mail intake: a message could not be read")
        return "refused", [_("The message could not be read.")]
    if not reading.usable:
        return "refused", [*reading.notes, _("No link, picture or text to report.")]
    submission = intake.Submission(
        claim=reading.claim,
        links=reading.links,
        seen_at=reading.seen_at,
        contact_name=name,
        contact_email=address,
        consent=False,
        files=[
            *reading.screenshots,
            *reading.attachments,
            intake.Upload("message.eml", raw, EvidenceKind.MESSAGE),
        ],
        source_key=key,
    )
    try:
        intake.submit(submission, intake=Intake.MAIL)
    except IntegrityError:
        if Report.objects.filter(source_key=key).exists():  # another run, at the same moment
            return "repeated", reading.notes
        raise  # not this message's fault: it stays for the next run
    except Refused as exc:
        return "refused", [*reading.notes, exc.message]
    except (DatabaseError, OSError):
        raise
    except Exception:  # one message must not stop every run after it
        log.exception("mail intake: a message could not be stored")
        return "refused", [*reading.notes, _("The message could not be stored.")]
    return "taken", reading.notes


def source_key(message: EmailMessage, raw: bytes) -> str:
    """What makes a message the same message: its Message-ID together with its sender (a
    Message-ID alone is the sender's choice — one who knew another's in advance could have it
    taken as a repeat and never reported), or the SHA-256 of its bytes when it has none."""
    found = " ".join(str(message.get("Message-ID", "") or "").split())
    if not found:
        return hashlib.sha256(raw).hexdigest()
    sender = _sender(message)[1].lower()
    return (
        "mid:" + hashlib.sha256(f"{sender}\n{found}".encode("utf-8", "surrogateescape")).hexdigest()
    )


def _automatic(message: EmailMessage) -> bool:
    auto = str(message.get("Auto-Submitted", "no") or "no").strip().lower()
    return auto != "no" or message.get_content_type() == "multipart/report"


def _sender(message: EmailMessage) -> tuple[str, str]:
    try:
        addresses = message["From"].addresses if message["From"] is not None else ()
    except (AttributeError, IndexError, ValueError):
        return "", ""
    if not addresses:
        return "", ""
    address = addresses[0].addr_spec
    try:
        validate_email(address)
    except ValidationError:
        address = ""
    return " ".join(addresses[0].display_name.split())[: intake.MAX_NAME_CHARS], address


# --- the command -------------------------------------------------------------------------------


def ingest_maildir_command(
    directory: Path = typer.Argument(..., help="The Maildir where reports by mail arrive."),
) -> None:
    """Take the messages forwarded to the reports mailbox (a Maildir) as reports, once each."""
    out = terminal.console()
    err = terminal.console(stderr=True)
    try:
        counts = ingest_maildir(directory)
    except Refused as exc:
        err.print(one_line(exc.message), markup=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    for note in counts.notes:
        out.print(one_line(note), markup=False, highlight=False, soft_wrap=True)
    out.print(summary(counts, directory), markup=False, soft_wrap=True)


def summary(counts: Counts, directory) -> str:
    return _(
        "%(taken)s messages taken as reports, %(repeated)s already taken, "
        "%(refused)s set aside in %(folder)s."
    ) % {
        "taken": counts.taken,
        "repeated": counts.repeated,
        "refused": counts.refused,
        "folder": one_line(refused_folder(directory)),
    }
