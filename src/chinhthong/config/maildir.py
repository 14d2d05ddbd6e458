"""Reading a Maildir as a mail server (Postfix, Dovecot) delivers it, for every mailbox the
project reads — reports forwarded by mail, bounces, the tipline — and what each of them checks
of a message before reading it.

A message handled moves to cur/ with the "seen" flag, as a mail reader marks it; one that
cannot be handled moves to the Maildir++ folder `.Refused`, where an operator reads it in any
mail program.
"""

import contextlib
import hashlib
import mailbox
import os
from email.message import EmailMessage
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from chinhthong.config.refusals import Refused

REFUSED_FOLDER = "Refused"  # the Maildir++ folder `.Refused`
MAX_PARAMETERS = 100  # in one Content-Type or Content-Disposition header
MAX_NAME_CHARS = 200  # of a sender's display name kept


def root_of(path) -> Path:
    """The Maildir at ``path``; Refused when it is not one."""
    root = Path(path)
    if not all((root / sub).is_dir() for sub in ("new", "cur", "tmp")):
        raise Refused(
            _("%(path)s is not a Maildir (it needs new/, cur/ and tmp/).") % {"path": root},
            code="not_maildir",
        )
    return root


def scheduled_run(directory: str, setting: str, label: str, read, log) -> dict:
    """A scheduler's run over one Maildir (reports, tipline): ``read(directory)`` returns its
    counts; a Maildir that is not one is said in the log every round until the setting is
    fixed; what was set aside is logged."""
    try:
        counts = read(directory)
    except Refused as exc:
        log.warning("%s: %s", setting, exc)
        return {}
    for note in counts.notes:
        log.info("%s: %s", label, note)
    if counts.refused:
        log.warning(
            "%s: %s messages set aside in %s", label, counts.refused, refused_folder(directory)
        )
    return {k: v for k, v in counts.as_dict().items() if k != "notes"}


def unseen(root: Path) -> list[Path]:
    new = sorted(p for p in (root / "new").iterdir() if p.is_file())
    cur = sorted(
        p for p in (root / "cur").iterdir() if p.is_file() and "S" not in p.name.partition(":2,")[2]
    )
    return [p for p in new + cur if not p.name.startswith(".")]


def mark_seen(root: Path, file: Path) -> None:
    name, _sep, flags = file.name.partition(":2,")
    flags = "".join(sorted(set(flags) | {"S"}))
    with contextlib.suppress(FileNotFoundError):  # another run moved it
        os.rename(file, root / "cur" / f"{name}:2,{flags}")


def set_aside(root: Path, file: Path) -> None:
    mailbox.Maildir(root, create=False).add_folder(REFUSED_FOLDER)  # made when missing
    folder = refused_folder(root)
    name, _sep, flags = file.name.partition(":2,")
    with contextlib.suppress(FileNotFoundError):
        os.rename(file, folder / "cur" / f"{name}:2,{flags.replace('S', '')}")


def refused_folder(root) -> Path:
    return Path(root) / f".{REFUSED_FOLDER}"


def absurd_parameters(raw: bytes) -> bool:
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


def source_key(message: EmailMessage, raw: bytes) -> str:
    """What makes a message the same message: its Message-ID together with its sender (a
    Message-ID alone is the sender's choice — one who knew another's in advance could have it
    taken as a repeat and never handled), or the SHA-256 of its bytes when it has none."""
    found = " ".join(str(message.get("Message-ID", "") or "").split())
    if not found:
        return hashlib.sha256(raw).hexdigest()
    address = sender(message)[1].lower()
    return (
        "mid:"
        + hashlib.sha256(f"{address}\n{found}".encode("utf-8", "surrogateescape")).hexdigest()
    )


def automatic(message: EmailMessage) -> bool:
    """An automatic reply or a delivery report (RFC 3834 Auto-Submitted, multipart/report)."""
    auto = str(message.get("Auto-Submitted", "no") or "no").strip().lower()
    return auto != "no" or message.get_content_type() == "multipart/report"


def sender(message: EmailMessage) -> tuple[str, str]:
    """(display name, address) of the From line; an address that is not one reads ''."""
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
    return " ".join(addresses[0].display_name.split())[:MAX_NAME_CHARS], address
