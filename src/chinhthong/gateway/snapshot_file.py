"""The engine of a gateway with no database: the registry from a signed snapshot file
(/registry.json and /registry.json.sig, copied or fetched by the mail administrator) and,
optionally, a blocklist file (one link or domain a line, the `plain` feed format).

A snapshot is used only when its Ed25519 signature verifies against the province's public key
(/registry.pub): a gateway must not be told that a forger's address is official by whoever can
write a file on it. The files are looked at again every few seconds; a changed pair that
verifies replaces the engine whole; one that does not, or is older than the one in use, is
refused and the engine in use stays (a download that replaced the file but not yet its
signature is such a pair; an old file put back with its valid signature is such a snapshot).

No Django here: the engine workers (engine_worker.py) run this without settings.
"""

import datetime
import json
import logging
import os
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from chinhthong.verify import feeds
from chinhthong.verify.blocklist import Blocklist
from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex

log = logging.getLogger(__name__)
RECHECK_SECONDS = 5.0
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
MAX_BLOCKLIST_BYTES = 512 * 1024 * 1024


class SnapshotRefused(Exception):
    """The snapshot cannot be used: what is wrong, in English (the log and the CLI's second
    line); ``problem`` names it for the CLI's translated line."""

    def __init__(self, problem: str, detail: str):
        super().__init__(detail)
        self.problem = problem


@dataclass(frozen=True)
class SnapshotFiles:
    snapshot: Path
    signature: Path
    public_key: Path
    blocklist: Path | None = None

    def stamps(self) -> tuple:
        """What changes when any file is replaced or rewritten."""
        paths = [self.snapshot, self.signature, self.public_key, self.blocklist]
        return tuple(_stamp(path) for path in paths if path is not None)


def _stamp(path: Path) -> tuple:
    try:
        found = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), found.st_mtime_ns, found.st_size, found.st_ino)


def load_engine(files: SnapshotFiles) -> Engine:
    """An engine from the files; SnapshotRefused when the signature does not verify or a file
    cannot be read. The snapshot's ``generated_at`` is kept on it as ``generated_at``."""
    from chinhthong.registry import signing

    body = _read(files.snapshot, MAX_SNAPSHOT_BYTES, "snapshot")
    signature = _read(files.signature, 4096, "signature")
    public_key = _read(files.public_key, 16384, "public key")
    try:
        key = serialization.load_pem_public_key(public_key)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SnapshotRefused("bad public key", f"{files.public_key}: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SnapshotRefused("bad public key", f"{files.public_key} is not an Ed25519 key")
    try:
        valid = signing.verify(public_key, body, signature)
    except ValueError as exc:
        raise SnapshotRefused("unreadable signature", str(exc)) from exc
    if not valid:
        raise SnapshotRefused(
            "bad signature",
            f"the signature {files.signature} does not verify {files.snapshot} "
            f"with the key {files.public_key}",
        )
    try:
        document = json.loads(body)
        index = RegistryIndex.from_document(document)
        generated = _generated_at(document)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SnapshotRefused("not a snapshot", f"{files.snapshot}: {exc}") from exc
    blocklist = _blocklist(files.blocklist) if files.blocklist else Blocklist()
    engine = Engine(index, blocklist)
    engine.generated_at = generated
    return engine


def _generated_at(document: dict) -> datetime.datetime | None:
    found = document.get("generated_at")
    if not found:
        return None
    moment = datetime.datetime.fromisoformat(str(found))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _read(path: Path, limit: int, what: str) -> bytes:
    try:
        # Not blocking on open: a FIFO put in the file's place would hold every worker.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise SnapshotRefused("unreadable file", f"the {what} {path} is not a file")
            data = handle.read(limit + 1)
    except OSError as exc:
        raise SnapshotRefused("unreadable file", f"the {what} {path}: {exc.strerror}") from exc
    if len(data) > limit:
        raise SnapshotRefused("unreadable file", f"the {what} {path} is larger than {limit} bytes")
    return data


def _blocklist(path: Path) -> Blocklist:
    data = _read(path, MAX_BLOCKLIST_BYTES, "blocklist")
    name = path.name
    entries = [
        (item.kind, item.value, name)
        for item in feeds.read(data, "plain")
        if isinstance(item, feeds.Entry)
    ]
    return Blocklist.from_entries(entries, version=str(_stamp(path)))


def _not_older(new: Engine, current: Engine) -> None:
    """A snapshot older than the one in use is refused: an old file with its valid signature,
    put back, would bring back channels the province has since withdrawn."""
    before, after = current.generated_at, new.generated_at
    if before is not None and (after is None or after < before):
        raise SnapshotRefused(
            "older snapshot",
            f"the snapshot was made at {after}, before the one in use ({before})",
        )


class SnapshotEngine:
    """The current engine from the files, built again when they change and verify."""

    def __init__(self, files: SnapshotFiles):
        self.files = files
        self._lock = threading.Lock()
        self._stamps = files.stamps()
        self._engine = load_engine(files)  # SnapshotRefused at start: nothing to fall back on
        self._checked = time.monotonic()
        self.refused: str = ""  # why the files on disk are not the ones in use, if they are not

    def engine(self) -> Engine:
        if time.monotonic() - self._checked >= RECHECK_SECONDS:
            with self._lock:
                self._reload_if_changed()
        return self._engine

    def _reload_if_changed(self) -> None:
        self._checked = time.monotonic()
        stamps = self.files.stamps()
        if stamps == self._stamps:
            return
        self._stamps = stamps
        try:
            engine = load_engine(self.files)
            _not_older(engine, self._engine)
            self._engine = engine
        except SnapshotRefused as exc:
            self.refused = str(exc)
            log.error("registry snapshot refused, the previous one stays in use: %s", exc)
            return
        self.refused = ""
        log.info("registry snapshot reloaded from %s (pid %d)", self.files.snapshot, os.getpid())
