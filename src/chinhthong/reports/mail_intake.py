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

import email
import email.policy
import email.utils
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import typer
from django.db import DatabaseError, IntegrityError
from django.utils.translation import gettext as _

from chinhthong.config import maildir, terminal
from chinhthong.config.refusals import Refused
from chinhthong.config.terminal import one_line
from chinhthong.reports import intake
from chinhthong.reports.mail_reading import MAX_MESSAGE_BYTES, read_message
from chinhthong.reports.models import EvidenceKind, Intake, Report

log = logging.getLogger(__name__)


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
    root = maildir.root_of(path)
    counts = Counts()
    for file in maildir.unseen(root):
        try:
            outcome, notes = ingest_file(file)
        except FileNotFoundError:  # another run took it meanwhile
            continue
        counts.notes.extend(f"{file.name}: {note}" for note in notes)
        if outcome == "refused":
            counts.refused += 1
            maildir.set_aside(root, file)
        else:
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            maildir.mark_seen(root, file)
    return counts


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


def ingest_message(raw: bytes) -> tuple[str, list[str]]:
    if maildir.absurd_parameters(raw):
        return "refused", [_("A header of the message has too many parameters to be read.")]
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        key = maildir.source_key(message, raw)
        if Report.objects.filter(source_key=key).exists():
            return "repeated", []
        if maildir.automatic(message):
            return "refused", [_("An automatic message (a bounce or an automatic reply).")]
        reading = read_message(message)
        name, address = maildir.sender(message)
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
        "folder": one_line(maildir.refused_folder(directory)),
    }
