"""The engine every process checks with: built from the latest signed snapshot, the live
blocklist and the known legitimate sites, swapped whole when any of them changes. With no
database (a bare CLI), the registry shipped in the package is used."""

import json
import logging
import threading
import time

import yaml
from django.db import DatabaseError, connection
from django.utils import timezone

from chinhthong.verify.blocklist import Blocklist
from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex

log = logging.getLogger(__name__)
REFRESH_SECONDS = 5.0

_lock = threading.Lock()
_state = {"engine": None, "key": None, "checked": 0.0}


def current_engine() -> Engine:
    now = time.monotonic()
    engine = _state["engine"]
    if engine is not None and now - _state["checked"] < REFRESH_SECONDS:
        return engine
    with _lock:
        key = _version_key()
        if key[0] == "packaged" and _state["engine"] is not None:
            # The database is briefly unreachable: keep answering with what was loaded.
            _state["checked"] = time.monotonic()
            return _state["engine"]
        if _state["engine"] is None or key != _state["key"]:
            _state["engine"] = build_engine(key)
            _state["key"] = key
        _state["checked"] = time.monotonic()
        return _state["engine"]


def reset() -> None:
    """Forget the engine (tests, and after a bulk change in this process)."""
    with _lock:
        _state.update(engine=None, key=None, checked=0.0)


def _version_key() -> tuple:
    try:
        from chinhthong.checks.models import BlocklistState
        from chinhthong.registry.models import RegistrySnapshot

        snapshot = RegistrySnapshot.objects.order_by("-id").values_list("id", flat=True).first()
        blocklist = BlocklistState.objects.values_list("version", flat=True).first()
        return (snapshot, blocklist)
    except DatabaseError:
        connection.close()  # no database yet: fall back to the packaged registry
        return ("packaged", None)


def build_engine(key: tuple) -> Engine:
    started = time.monotonic()
    document = _snapshot_document() if key[0] not in (None, "packaged") else None
    if document is None:
        document = packaged_document()
    if key[1] is not None:
        from chinhthong.checks import known_sites

        blocklist, known = load_blocklist(), known_sites.load()
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
    from chinhthong.registry.models import RegistrySnapshot

    latest = RegistrySnapshot.objects.order_by("-id").only("body").first()
    return json.loads(bytes(latest.body)) if latest else None


def packaged_document() -> dict:
    from chinhthong.registry.services import default_registry_text

    return yaml.safe_load(default_registry_text())


def load_blocklist() -> Blocklist:
    """Every live entry, read straight from the database cursor (no model objects)."""
    from chinhthong.checks.models import BlocklistEntry, BlocklistSource, BlocklistState

    names = dict(BlocklistSource.objects.filter(enabled=True).values_list("id", "name"))
    numbers = {source_id: number for number, source_id in enumerate(names)}
    urls: dict[str, int] = {}
    hosts: dict[str, int] = {}
    table = BlocklistEntry._meta.db_table
    version = BlocklistState.objects.values_list("version", flat=True).first() or 0
    # A plain scan: SQLite would otherwise read through the expires_at index (slower, and
    # 25 MB more at a million rows); on PostgreSQL a server-side cursor streams the rows
    # instead of holding the whole result in the client (bench/blocklist_load.py).
    column = "+expires_at" if connection.vendor == "sqlite" else "expires_at"
    live = f"{column} IS NULL OR {column} > %s"
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT kind, value, source_id FROM {table} WHERE {live}", [timezone.now()])  # noqa: S608
        while rows := cursor.fetchmany(50_000):
            for kind, value, source_id in rows:
                number = numbers.get(source_id)
                if number is not None:
                    (urls if kind == "url" else hosts)[value] = number
    return Blocklist(urls, hosts, list(names.values()), str(version))
