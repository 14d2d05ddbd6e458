"""The engine every process checks with: built from the latest signed snapshot, the live
blocklist and the known legitimate sites, swapped whole when any of them changes. With no
database (a bare CLI), the registry shipped in the package is used.

The database is read with plain SQL, never through models: `chinhthong check` builds its
engine without setting Django's applications up (config/check_setup.py), and a web process
reads the same rows the same way. tests/checks/test_cli.py holds the names below to
the models'."""

import contextlib
import datetime
import json
import logging
import sqlite3
import threading
import time
import zoneinfo
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from django.db import DatabaseError, connection
from django.utils import timezone

from chinhthong.verify.blocklist import Blocklist
from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex

log = logging.getLogger(__name__)
REFRESH_SECONDS = 5.0

# The tables read (db_table of RegistrySnapshot, BlocklistState, BlocklistSource,
# BlocklistEntry, KnownSite).
SNAPSHOTS = "registry_registrysnapshot"
BLOCKLIST_STATE = "checks_blockliststate"
BLOCKLIST_SOURCES = "checks_blocklistsource"
BLOCKLIST_ENTRIES = "checks_blocklistentry"
KNOWN_SITES = "checks_knownsite"

# Where the registry an engine holds came from (Source.kind).
SNAPSHOT = "snapshot"  # the installation's latest snapshot
NO_SNAPSHOT = "no snapshot"  # a database with no snapshot yet: the packaged registry
NO_DATABASE = "no database"  # no SQLite file (nothing set up there): the packaged registry
DATABASE_ERROR = "database error"  # the database did not answer: the packaged registry


class Source(NamedTuple):
    kind: str
    error: str = ""  # DATABASE_ERROR: what the database said
    database: str = ""  # NO_DATABASE: the SQLite file that is missing

    @property
    def packaged(self) -> bool:
        return self.kind != SNAPSHOT


_lock = threading.Lock()
_state = {"engine": None, "key": None, "checked": 0.0, "source": None}
# A check-only process on SQLite reads the file with the standard library (read_sqlite_directly).
_direct: dict = {"path": None, "connection": None, "timeout": 20.0}


def read_sqlite_directly(path: str, timeout: float = 20.0) -> None:
    """Read the SQLite database at ``path`` with the standard library, read-only, instead of
    through Django's connection: loading Django's database layer cost a check-only process
    about a quarter of its start (config/check_setup.py). The same queries, the same rows."""
    _direct.update(path=path, connection=None, timeout=timeout)


def current_engine() -> Engine:
    now = time.monotonic()
    engine = _state["engine"]
    if engine is not None and now - _state["checked"] < REFRESH_SECONDS:
        return engine
    with _lock:
        key, source = _version_key()
        if key[0] == "packaged" and _state["engine"] is not None:
            # The database is briefly unreachable: keep answering with what was loaded.
            _state["checked"] = time.monotonic()
            return _state["engine"]
        if _state["engine"] is None or key != _state["key"]:
            _state["engine"] = build_engine(key)
            _state["key"], _state["source"] = key, source
        _state["checked"] = time.monotonic()
        return _state["engine"]


def source() -> Source | None:
    """Where the registry of the engine in use came from; None before the first check."""
    return _state["source"]


def reset() -> None:
    """Forget the engine (tests, and after a bulk change in this process)."""
    with _lock:
        _state.update(engine=None, key=None, checked=0.0, source=None)


def _version_key() -> tuple[tuple, Source]:
    """(latest snapshot id, blocklist version), and where the registry will come from."""
    missing = _missing_database_file()
    if missing:  # opening it would create an empty database where nothing was set up
        return ("packaged", None), Source(NO_DATABASE, database=missing)
    try:
        with _cursor() as cursor:
            cursor.execute(f"SELECT id FROM {SNAPSHOTS} ORDER BY id DESC LIMIT 1")  # noqa: S608
            snapshot = _first(cursor)
            cursor.execute(f"SELECT version FROM {BLOCKLIST_STATE} ORDER BY id LIMIT 1")  # noqa: S608
            blocklist = _first(cursor)
    except (DatabaseError, sqlite3.Error) as exc:
        _close()  # no database yet: fall back to the packaged registry
        return ("packaged", None), Source(DATABASE_ERROR, error=str(exc))
    return (snapshot, blocklist), Source(SNAPSHOT if snapshot is not None else NO_SNAPSHOT)


def _first(cursor):
    row = cursor.fetchone()
    return row[0] if row else None


def _missing_database_file() -> str:
    """The SQLite file the settings name, when it does not exist or is no regular file (SQLite
    would wait for ever on a FIFO); '' otherwise."""
    if _direct["path"]:
        name = _direct["path"]
    elif connection.vendor != "sqlite" or connection.is_in_memory_db():
        return ""
    else:
        name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or Path(name).is_file():
        return ""
    return name


class _SQLiteCursor(sqlite3.Cursor):
    """Django's placeholders (%s) on a standard-library cursor, as Django's own wrapper does."""

    def execute(self, sql, parameters=()):
        return super().execute(sql.replace("%s", "?"), parameters)


@contextlib.contextmanager
def _cursor(*, chunked: bool = False):
    if not _direct["path"]:
        with connection.chunked_cursor() if chunked else connection.cursor() as cursor:
            yield cursor
        return
    if _direct["connection"] is None:
        uri = f"{Path(_direct['path']).as_uri()}?mode=ro"
        _direct["connection"] = sqlite3.connect(uri, uri=True, timeout=_direct["timeout"])
    cursor = _direct["connection"].cursor(factory=_SQLiteCursor)
    try:
        yield cursor
    finally:
        cursor.close()


def _close() -> None:
    if _direct["connection"] is not None:
        _direct["connection"].close()
        _direct["connection"] = None
    if not _direct["path"]:
        connection.close()


def _vendor() -> str:
    return "sqlite" if _direct["path"] else connection.vendor


def _now():
    """Now, as a parameter: on SQLite the text Django's adapter writes (datetimes are stored as
    text there), so that both ways of reading compare the same strings."""
    now = timezone.now()
    return now.isoformat(" ") if _vendor() == "sqlite" else now


def build_engine(key: tuple) -> Engine:
    started = time.monotonic()
    document = _snapshot_document() if key[0] not in (None, "packaged") else None
    if document is None:
        document = packaged_document()
    if key[1] is not None:
        blocklist, known = load_blocklist(), load_known_sites()
    else:
        blocklist, known = Blocklist(), {}
    engine = Engine(RegistryIndex.from_document(document), blocklist, known)
    log.debug(
        "verification engine built in %.2f s (%d blocklist entries)",
        time.monotonic() - started,
        len(blocklist),
    )
    return engine


def _snapshot_document() -> dict | None:
    with _cursor() as cursor:
        cursor.execute(f"SELECT body FROM {SNAPSHOTS} ORDER BY id DESC LIMIT 1")  # noqa: S608
        body = _first(cursor)
    return json.loads(bytes(body)) if body is not None else None


def packaged_document() -> dict:
    """The registry shipped in the package (registry.services.default_registry_text), as a
    snapshot publishes it: each channel named with the agency in charge today."""
    import yaml

    from chinhthong.registry import succession

    text = resources.files("chinhthong.registry").joinpath("data/default_registry.yaml")
    return succession.publish_current_owners(yaml.safe_load(text.read_text("utf-8")), _today())


def _today():
    # Without Django's settings (a check's quick start): today in the province's time zone.
    return datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).date()


def load_known_sites() -> dict[str, str]:
    """Registrable domain -> whose site."""
    with _cursor() as cursor:
        cursor.execute(f"SELECT domain, name FROM {KNOWN_SITES} ORDER BY domain")  # noqa: S608
        return dict(cursor.fetchall())


def load_blocklist() -> Blocklist:
    """Every live entry, read straight from the database cursor (no model objects)."""
    with _cursor() as cursor:
        # Numbered in the sources' order (by name), as the engine reports them.
        cursor.execute(
            f"SELECT id, name FROM {BLOCKLIST_SOURCES} WHERE enabled = %s ORDER BY name",  # noqa: S608
            [True],
        )
        names = dict(cursor.fetchall())
        cursor.execute(f"SELECT version FROM {BLOCKLIST_STATE} ORDER BY id LIMIT 1")  # noqa: S608
        version = _first(cursor) or 0
    numbers = {source_id: number for number, source_id in enumerate(names)}
    urls: dict[str, int] = {}
    hosts: dict[str, int] = {}
    # A plain scan: SQLite would otherwise read through the expires_at index (slower, and
    # 25 MB more at a million rows); on PostgreSQL a server-side cursor streams the rows
    # instead of holding the whole result in the client (bench/blocklist_load.py).
    column = "+expires_at" if _vendor() == "sqlite" else "expires_at"
    live = f"{column} IS NULL OR {column} > %s"
    with _cursor(chunked=True) as cursor:
        cursor.execute(
            f"SELECT kind, value, source_id FROM {BLOCKLIST_ENTRIES} WHERE {live}",  # noqa: S608
            [_now()],
        )
        while rows := cursor.fetchmany(50_000):
            for kind, value, source_id in rows:
                number = numbers.get(source_id)
                if number is not None:
                    (urls if kind == "url" else hosts)[value] = number
    return Blocklist(urls, hosts, list(names.values()), str(version))
