"""Where this installation keeps its data (the var folder), found the same way by every
command and process, whatever folder it is started from.

In order:

1. ``CHINHTHONG_VAR_DIR``, when set (servers: in the environment file of the service);
2. ``var`` in the current folder, when there is one (the nearest wins, as a checkout's own
   configuration does for git or Ansible; and what every command did before set-up recorded);
3. the folder recorded by the last ``chinhthong setup`` of this Python environment, in
   ``$VIRTUAL_ENV/etc/chinhthong/installation.json`` (``sys.prefix``: the virtual environment
   the command runs from, as Jupyter keeps its per-environment configuration), or in the file
   named by ``CHINHTHONG_INSTALLATION_FILE``;
4. otherwise ``var`` in the current folder, which does not exist: nothing is set up.

Only ``chinhthong setup`` creates the folder; other commands never do (docs/operations.md,
"Where an installation keeps its data"). Standard library only: settings.py and the quick
start of ``chinhthong check`` read it before Django is set up.

The record and the secret key are files anyone with the right to the folder may have replaced
(a FIFO, a device, a directory, a huge or deeply nested file, a path no system call accepts):
they are read only when they are regular files, and only so far (``MAX_BYTES``). A record that
cannot be used is no record (``Installation.problem`` says why, for the command to tell); a
secret key that cannot be used stops a process that writes (``Unusable``), and a check, which
writes nothing, keeps a key of its own.
"""

import contextlib
import errno
import gettext
import json
import os
import secrets
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

VAR_DIR_VARIABLE = "CHINHTHONG_VAR_DIR"
RECORD_VARIABLE = "CHINHTHONG_INSTALLATION_FILE"

# Where the folder came from (Installation.origin).
FROM_ENVIRONMENT = "environment"
FROM_RECORD = "recorded"
FROM_CURRENT_FOLDER = "current folder"

# A record is a few hundred bytes and a key 67: nothing larger is read.
MAX_BYTES = 64 * 1024


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue (makemessages); whoever shows it translates it."""
    return message


# What is wrong (Problem.message): %(file)s the file or folder, %(error)s what the system said.
RECORD_NOT_REGULAR = gettext_noop("The installation record %(file)s is not a regular file.")
RECORD_TOO_LARGE = gettext_noop("The installation record %(file)s is larger than 64 KB.")
RECORD_UNREADABLE = gettext_noop("The installation record %(file)s cannot be read (%(error)s).")
RECORD_NOT_JSON = gettext_noop("The installation record %(file)s is not valid JSON (%(error)s).")
RECORD_TOO_DEEP = gettext_noop("The installation record %(file)s is nested too deeply to be read.")
RECORD_NO_FOLDER = gettext_noop(
    "The installation record %(file)s does not name an absolute var_dir folder."
)
RECORD_BAD_PATH = gettext_noop(
    "The installation record %(file)s names a var_dir that is not a valid path (%(error)s)."
)
RECORD_NOT_FOLDER = gettext_noop(
    "The installation record %(file)s names a var_dir that is not a folder: %(error)s."
)
KEY_NOT_REGULAR = gettext_noop("The secret key file %(file)s is not a regular file.")
KEY_TOO_LARGE = gettext_noop("The secret key file %(file)s is larger than 64 KB.")
KEY_UNREADABLE = gettext_noop("The secret key file %(file)s cannot be read (%(error)s).")
KEY_NOT_TEXT = gettext_noop("The secret key file %(file)s is empty or not UTF-8 text.")
KEY_UNWRITABLE = gettext_noop("The secret key file %(file)s cannot be written (%(error)s).")
FOLDER_NOT_FOLDER = gettext_noop(
    "The installation folder %(file)s is not a usable folder (%(error)s)."
)
# What to do about it (Problem.advice).
RECORD_ADVICE = gettext_noop(
    "The record is ignored: set CHINHTHONG_VAR_DIR to the installation's folder, or run "
    "“chinhthong setup” to record one again."
)
KEY_ADVICE = gettext_noop(
    "Put this installation's key back in it, remove it so that a new one is made (everyone "
    "signed in is signed out), or set CHINHTHONG_SECRET_KEY."
)
FOLDER_ADVICE = gettext_noop(
    "Set CHINHTHONG_VAR_DIR to the installation's folder, or leave it unset."
)


class Problem(NamedTuple):
    """Why the record, the folder or the secret key cannot be used."""

    message: str  # one of the messages above (an English msgid)
    file: str  # the file or folder, as shown
    error: str = ""
    advice: str = RECORD_ADVICE

    def said(self, translate: Callable[[str], str] = str) -> str:
        """What is wrong, translated by ``translate`` (a gettext)."""
        return translate(self.message) % {"file": self.file, "error": self.error}

    def render(self, translate: Callable[[str], str] = str) -> str:
        """What is wrong and what to do about it."""
        return f"{self.said(translate)} {translate(self.advice)}"


class Unusable(Exception):
    """The installation's folder or secret key cannot be used by a process that writes."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


class Installation(NamedTuple):
    var_dir: Path  # absolute
    origin: str  # FROM_ENVIRONMENT, FROM_RECORD or FROM_CURRENT_FOLDER
    record_file: Path  # the record looked at (whether or not it exists)
    # As recorded by setup: "sqlite" (a file in var_dir) or "DATABASE_URL" (a server named by
    # that variable, which the record never copies: it may hold a password). "" when unknown.
    database: str = ""
    problem: Problem | None = None  # the record exists and cannot be used


def translator(language: str) -> Callable[[str], str]:
    """gettext of the project's catalogue in ``language``, without Django (which may not be set
    up: the settings are what failed)."""
    locale = Path(__file__).resolve().parent.parent / "locale"
    return gettext.translation("django", locale, languages=[language], fallback=True).gettext


def shown(path: object) -> str:
    """A path as a message shows it: what no terminal encoding takes escaped, and a path of
    kilobytes cut in the middle."""
    text = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= 300 else f"{text[:200]}…{text[-80:]}"


def _absolute(path: Path) -> Path:
    """``path`` made absolute, links resolved when that can be done (a loop cannot)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def record_file() -> Path:
    named = os.environ.get(RECORD_VARIABLE, "").strip()
    if named:
        return _absolute(Path(named).expanduser())
    return Path(sys.prefix) / "etc" / "chinhthong" / "installation.json"


def find() -> Installation:
    """The installation this process works on (see the module's documentation)."""
    record = record_file()
    named = os.environ.get(VAR_DIR_VARIABLE, "").strip()
    if named:
        return Installation(_absolute(Path(named).expanduser()), FROM_ENVIRONMENT, record)
    here = _absolute(Path.cwd() / "var")
    if here.is_dir():
        return Installation(here, FROM_CURRENT_FOLDER, record)
    recorded = read_record(record)
    if isinstance(recorded, Problem):
        return Installation(here, FROM_CURRENT_FOLDER, record, problem=recorded)
    if recorded is not None:
        return Installation(recorded[0], FROM_RECORD, record, recorded[1])
    return Installation(here, FROM_CURRENT_FOLDER, record)


class _NotRegular(Exception):
    pass


class _TooLarge(Exception):
    pass


def _read_small_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES. Raises _NotRegular (a FIFO, a device,
    a folder: never opened, or closed unread), _TooLarge, OSError or ValueError (a NUL)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise _NotRegular
    # Opened without waiting (a FIFO put in its place since) and checked again once open.
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _NotRegular
        data = b""
        while chunk := os.read(descriptor, MAX_BYTES + 1 - len(data)):
            data += chunk
            if len(data) > MAX_BYTES:
                raise _TooLarge
        return data
    finally:
        os.close(descriptor)


def _error(exc: BaseException) -> str:
    """What the system said, without the file name (shown once, by the message)."""
    return shown(getattr(exc, "strerror", None) or exc)


def read_record(path: Path) -> tuple[Path, str] | Problem | None:
    """The folder and database kind a record names; None when there is no record, and a Problem
    when there is one that cannot be used (the next set-up writes it again)."""
    file = shown(path)
    try:
        text = _read_small_file(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except _NotRegular:
        return Problem(RECORD_NOT_REGULAR, file)
    except _TooLarge:
        return Problem(RECORD_TOO_LARGE, file)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        return Problem(RECORD_UNREADABLE, file, _error(exc))
    try:
        data = json.loads(text)
    except RecursionError:
        return Problem(RECORD_TOO_DEEP, file)
    except ValueError as exc:
        return Problem(RECORD_NOT_JSON, file, shown(exc))
    folder = data.get("var_dir") if isinstance(data, dict) else None
    if not isinstance(folder, str) or not Path(folder).is_absolute():
        return Problem(RECORD_NO_FOLDER, file)
    try:
        folder.encode("utf-8")  # a lone surrogate: no path setup could have written
        found = os.stat(folder)
    except (FileNotFoundError, PermissionError):
        found = None  # not set up there (yet), or not for this user: the command says so
    except (OSError, ValueError) as exc:  # a NUL, too long, a file on the way
        return Problem(RECORD_BAD_PATH, file, _error(exc))
    if found is not None and not stat.S_ISDIR(found.st_mode):
        return Problem(RECORD_NOT_FOLDER, file, shown(folder))
    database = data.get("database", "")
    return Path(folder), database if isinstance(database, str) else ""


def write_record(var_dir: Path, database: str) -> Path:
    """Record ``var_dir`` as this environment's installation (``chinhthong setup``), replacing
    the file whole so that a command reading it at the same time sees the old or the new one.
    Raises OSError, also when something other than a file (a device, a FIFO) has the name."""
    path = record_file()
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise OSError(errno.EEXIST, "not a regular file", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"var_dir": str(var_dir.resolve()), "database": database}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


# False in a process that only reads (a check, config/check_setup.py): it never writes into the
# folder, and keeps a key of its own when none is there, or none it can use.
writes_files = True


def secret_key(var_dir: Path) -> str:
    """The local secret key kept in ``var_dir/secret_key`` (mode 0600), made on first use.
    Without the folder (before set-up) a key for this process only: nothing but set-up creates
    the folder. Raises Unusable, in a process that writes, when the key or the folder is there
    and cannot be used."""
    path = var_dir / "secret_key"
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except Unusable:
        if writes_files:
            raise
        return secrets.token_urlsafe(50)
    key = secrets.token_urlsafe(50)
    if not writes_files or not var_dir.is_dir():
        return key
    # Written whole to a file of its own, then linked into place: processes starting together
    # keep the key the first one linked, and none reads a half-written one.
    temporary = var_dir / f".secret_key.{os.getpid()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        temporary.unlink(missing_ok=True)  # left by an earlier process with this id
        with os.fdopen(os.open(temporary, flags, 0o600), "w", encoding="utf-8") as file:
            file.write(key)
        os.link(temporary, path)
    except FileExistsError:
        return _read_key(path)
    except OSError as exc:
        raise Unusable(Problem(KEY_UNWRITABLE, shown(path), _error(exc), KEY_ADVICE)) from exc
    finally:
        with contextlib.suppress(OSError):  # a folder of that name: said above
            temporary.unlink(missing_ok=True)
    return key


def _read_key(path: Path) -> str:
    """The key in ``path``. Raises FileNotFoundError (none there yet) or Unusable."""
    file = shown(path)
    try:
        key = _read_small_file(path).decode("utf-8").strip()
    except FileNotFoundError:
        raise
    except _NotRegular:
        raise Unusable(Problem(KEY_NOT_REGULAR, file, advice=KEY_ADVICE)) from None
    except _TooLarge:
        raise Unusable(Problem(KEY_TOO_LARGE, file, advice=KEY_ADVICE)) from None
    except UnicodeDecodeError:
        key = ""
    except (NotADirectoryError, ValueError) as exc:  # the folder is a file, or has a NUL
        folder = Problem(FOLDER_NOT_FOLDER, shown(path.parent), _error(exc), FOLDER_ADVICE)
        raise Unusable(folder) from exc
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            folder = Problem(FOLDER_NOT_FOLDER, shown(path.parent), _error(exc), FOLDER_ADVICE)
            raise Unusable(folder) from exc
        raise Unusable(Problem(KEY_UNREADABLE, file, _error(exc), KEY_ADVICE)) from exc
    if not key:
        raise Unusable(Problem(KEY_NOT_TEXT, file, advice=KEY_ADVICE))
    return key
