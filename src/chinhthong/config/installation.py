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
"""

import json
import os
import secrets
import sys
from pathlib import Path
from typing import NamedTuple

VAR_DIR_VARIABLE = "CHINHTHONG_VAR_DIR"
RECORD_VARIABLE = "CHINHTHONG_INSTALLATION_FILE"

# Where the folder came from (Installation.origin).
FROM_ENVIRONMENT = "environment"
FROM_RECORD = "recorded"
FROM_CURRENT_FOLDER = "current folder"


class Installation(NamedTuple):
    var_dir: Path  # absolute
    origin: str  # FROM_ENVIRONMENT, FROM_RECORD or FROM_CURRENT_FOLDER
    record_file: Path  # the record looked at (whether or not it exists)
    # As recorded by setup: "sqlite" (a file in var_dir) or "DATABASE_URL" (a server named by
    # that variable, which the record never copies: it may hold a password). "" when unknown.
    database: str = ""


def record_file() -> Path:
    named = os.environ.get(RECORD_VARIABLE, "").strip()
    if named:
        return Path(named).expanduser().resolve()
    return Path(sys.prefix) / "etc" / "chinhthong" / "installation.json"


def find() -> Installation:
    """The installation this process works on (see the module's documentation)."""
    record = record_file()
    named = os.environ.get(VAR_DIR_VARIABLE, "").strip()
    if named:
        return Installation(Path(named).expanduser().resolve(), FROM_ENVIRONMENT, record)
    here = (Path.cwd() / "var").resolve()
    if here.is_dir():
        return Installation(here, FROM_CURRENT_FOLDER, record)
    recorded = read_record(record)
    if recorded is not None:
        return Installation(recorded[0], FROM_RECORD, record, recorded[1])
    return Installation(here, FROM_CURRENT_FOLDER, record)


def read_record(path: Path) -> tuple[Path, str] | None:
    """The folder and database kind a record names; None when there is no usable record (a
    damaged one is ignored: the next set-up writes it again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        folder = Path(data["var_dir"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not folder.is_absolute():
        return None
    database = data.get("database", "")
    return folder, database if isinstance(database, str) else ""


def write_record(var_dir: Path, database: str) -> Path:
    """Record ``var_dir`` as this environment's installation (``chinhthong setup``), replacing
    the file whole so that a command reading it at the same time sees the old or the new one."""
    path = record_file()
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
# folder, and keeps a key of its own when none is there.
writes_files = True


def secret_key(var_dir: Path) -> str:
    """The local secret key kept in ``var_dir/secret_key`` (mode 0600), made on first use.
    Without the folder (before set-up) a key for this process only: nothing but set-up creates
    the folder."""
    path = var_dir / "secret_key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    except PermissionError:  # a mail filter's user may check without reading the node's key
        if writes_files:
            raise
    key = secrets.token_urlsafe(50)
    if not writes_files or not var_dir.is_dir():
        return key
    # Written whole to a file of its own, then linked into place: processes starting together
    # keep the key the first one linked, and none reads a half-written one.
    temporary = var_dir / f".secret_key.{os.getpid()}"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(key)
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    finally:
        temporary.unlink(missing_ok=True)
    return key
