"""Attachments looked into: inspect_attachment, the entry point for one attachment (its names
and real type judged by mail_attachments.py, then the macros of an OLE Office file or the
archive it is), and archives opened, zip, 7z and rar, archives inside archives too, down to
MAX_NESTING levels: members that run code (by name or real type) named by their path
(outer.zip › inner.7z › payload.exe), password protection, macros of Office documents inside.

Bounded in memory and time: everything one message may cost comes out of one Budget, READ_BUDGET
bytes decompressed and MAX_TOTAL_MEMBERS members listed (MAX_MEMBERS in one archive), with the
message's deadline checked at every member and every decompression step (mail_decompress.py
drives each decompressor in steps of bounded output). Declared sizes over MAX_MEMBER_SIZE and
ratios over MAX_RATIO are bombs, told before anything is unpacked; only the first SNIFF_BYTES
of a member are kept and sniffed unless it starts like an archive. An archive that would take more
than that is reported (archive_bomb, archive_too_deep, archive_partly_checked, too_slow), not
opened further.

inspect_attachment lives here, above mail_attachments.py, because it needs both: the walk judges
members with mail_attachments' functions, so mail_attachments cannot import this module.
"""

import contextlib
import io
import struct
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from chinhthong.verify.mail_attachments import (
    HONEST,
    MAX_OLE_BYTES,
    NESTED,
    OLE_MAGIC,
    RUNS_CODE,
    SNIFF_BYTES,
    attachment_reason,
    extensions,
    identify,
    name_findings,
    named_findings,
    ole_has_macros,
    shown_name,
    sniff,
)
from chinhthong.verify.mail_decompress import (
    KeeperFactory,
    handle_pieces,
    seven_zip_header_too_large,
    seven_zip_step_input,
    zip_pieces,
)
from chinhthong.verify.results import Reason, Verdict, reason

MAX_MEMBERS = 1000  # members listed in one archive
MAX_TOTAL_MEMBERS = 10_000  # members listed in all the archives of one message
MAX_MEMBER_SIZE = 50 * 1024 * 1024  # declared uncompressed size of one member
MAX_RATIO = 100  # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
READ_BUDGET = 8 * 1024 * 1024  # bytes decompressed from archives for one whole message
MAX_NESTING = 4  # levels of archives looked into: the attachment and three levels inside it
PATH_SEPARATOR = " › "
# Documents built on zip: a member with one of these names is opened by its program, not
# extracted, so it is not looked into (a macro-enabled one is told by its name).
ZIP_DOCUMENTS = HONEST["ZIP"] - {"zip"}


@dataclass
class Budget:
    """What one message may still cost: bytes decompressed, archive members listed, and the
    time left (``deadline`` on ``clock``; ``seconds`` is the limit told in the reason)."""

    remaining: int = READ_BUDGET
    members: int = MAX_TOTAL_MEMBERS
    deadline: float | None = None
    seconds: float | None = None
    clock: Callable[[], float] = time.monotonic

    def take(self, size: int) -> bool:
        if size > self.remaining:
            return False
        self.remaining -= size
        return True

    def expired(self) -> bool:
        return self.deadline is not None and self.clock() > self.deadline


# --- attachments ----------------------------------------------------------------------------
def inspect_attachment(
    name: str, data: bytes, budget: Budget, label: str = "", aliases: tuple[str, ...] = ()
) -> list[Reason]:
    """Reasons for one attachment (an empty list when nothing is wrong with it); ``label``
    names it in reasons when it has no file name (its content type, say); ``aliases`` are the
    other names mail programs may show for it, judged as well."""
    names = [name, *(alias for alias in aliases if alias and alias != name)]
    kind = identify(data, (extensions(name) or [""])[-1])
    reasons: list[Reason] = []
    macro_known = False
    for each in names:
        found = named_findings(each, kind)
        macro_known = macro_known or any(code == "macro" for code, _ in found)
        shown = shown_name(each) or label
        reasons.extend(attachment_reason(code, shown, params) for code, params in found)
    shown = shown_name(name) or label
    if kind == "OLE" and not macro_known and ole_has_macros(name, data):
        reasons.append(reason("macro_document", Verdict.SUSPICIOUS, name=shown))
    elif kind in NESTED:
        reasons.extend(inspect_archive(shown, kind, data, budget, macro_known=macro_known))
    return reasons


# --- archives -------------------------------------------------------------------------------
def inspect_archive(
    name: str, kind: str, data: bytes, budget: Budget, macro_known: bool = False
) -> list[Reason]:
    """Reasons for an archive attachment and the archives inside it: members that run code
    (by name or real type) named by their path, password protection, macros of Office files,
    and archives that cannot be opened within the limits (bombs, nesting, the budget, the
    deadline)."""
    walk = _Walk(budget)
    with contextlib.suppress(_Stop):
        walk.archive((name,), kind, data, macro_known)
    risky = walk.risky
    if risky:
        member = PATH_SEPARATOR.join(shown_name(p) for p in risky[0][1:])
        found = reason(
            "archive_contains", Verdict.SUSPICIOUS, name=name, member=member, count=str(len(risky))
        )
        walk.reasons.insert(0, found)
    return walk.reasons


class _Stop(Exception):
    """Inspection of this attachment ends; the reason why is already recorded."""


class _Walk:
    """One archive attachment looked into, level by level, out of the message's Budget."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.reasons: list[Reason] = []
        self.risky: list[tuple[str, ...]] = []  # paths of members that run code

    # --- limits -------------------------------------------------------------------------------
    def tick(self) -> None:
        if self.budget.expired():
            limit = self.budget.seconds
            self.stop(reason("too_slow", Verdict.SUSPICIOUS, limit=str(limit)))

    def stop(self, found: Reason) -> None:
        self.reasons.append(found)
        raise _Stop

    def bomb(self, path: tuple[str, ...], why: str) -> None:
        self.stop(reason("archive_bomb", Verdict.SUSPICIOUS, name=_label(path), detail=why))

    def partly(self, path: tuple[str, ...], why: str, stop: bool = True) -> None:
        found = reason("archive_partly_checked", Verdict.SUSPICIOUS, name=_label(path), detail=why)
        if stop:
            self.stop(found)
        said = {(r.code, r.params_dict["name"]) for r in self.reasons if r.params}
        if (found.code, _label(path)) not in said:  # once per archive
            self.reasons.append(found)

    def listed(self, path: tuple[str, ...], count: int) -> None:
        if count > MAX_MEMBERS:
            self.bomb(path, f"{count} members")
        self.budget.members -= count
        if self.budget.members < 0:
            self.bomb(path, f"more than {MAX_TOTAL_MEMBERS} members in nested archives")

    def sizes(self, path: tuple[str, ...], members) -> None:
        """(name, declared size, compressed size or None) of each member: bombs by size."""
        for member, size, packed in members:
            if size > MAX_MEMBER_SIZE:
                self.bomb(path, f"{member}: {size} bytes")
            if packed is not None and size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
                self.bomb(path, f"{member}: ratio {size // max(packed, 1)}")

    def take(self, path: tuple[str, ...], size: int) -> None:
        """Charges ``size`` decompressed bytes of the archive at ``path``."""
        if not self.budget.take(size):
            self.budget.remaining = 0
            self.partly(path, f"budget of {READ_BUDGET} bytes to unpack exhausted")

    def read(self, path: tuple[str, ...], pieces: Iterator[bytes], limit: int) -> bytes:
        """Up to ``limit`` bytes of a member of the archive at ``path`` from its decompressed
        pieces, charged to the budget piece by piece."""
        out = bytearray()
        for piece in pieces:
            self.tick()
            piece = piece[: limit - len(out)]
            self.take(path, len(piece))
            out += piece
            if len(out) >= limit:
                break
        return bytes(out)

    # --- any archive --------------------------------------------------------------------------
    def archive(self, path: tuple[str, ...], kind: str, data: bytes, macro_known=False) -> None:
        self.tick()
        if kind == "ZIP":
            self.zip(path, data, macro_known)
        elif kind == "7Z":
            self.seven_zip(path, data)
        elif kind == "RAR":
            self.rar(path, data)

    def named(self, path: tuple[str, ...], names: list[str]) -> list[str]:
        """Records the members whose name alone runs code; returns the others."""
        others = []
        for name in names:
            if name_findings(name.replace("\\", "/").rsplit("/", 1)[-1]):
                self.risky.append((*path, name))
            else:
                others.append(name)
        return others

    def content(self, path: tuple[str, ...], head: bytes | None, whole) -> None:
        """A member judged by its first bytes; looked into when it is an archive itself
        (``whole()`` then gives all of it)."""
        kind = sniff(head) if head else None
        if kind in RUNS_CODE:
            self.risky.append(path)
            return
        ext = (extensions(path[-1]) or [""])[-1]
        if kind not in NESTED or (kind == "ZIP" and ext in ZIP_DOCUMENTS):
            return
        if len(path) > MAX_NESTING:
            name, limit = _label(path), str(MAX_NESTING)
            self.stop(reason("archive_too_deep", Verdict.SUSPICIOUS, name=name, limit=limit))
        data = whole()
        if data:
            self.archive(path, kind, data)

    # --- zip ----------------------------------------------------------------------------------
    def zip(self, path: tuple[str, ...], data: bytes, macro_known: bool) -> None:
        count = _zip_entry_count(data)
        if count is not None and count > MAX_MEMBERS:
            self.bomb(path, f"{count} members")
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except Exception:  # not a readable zip after all: nothing to list
            return
        self.listed(path, len(infos))
        self.sizes(path, ((i.filename, i.file_size, i.compress_size) for i in infos))
        names = [info.filename for info in infos]
        if any(info.flag_bits & 0x1 for info in infos):
            self.reasons.append(_encrypted(_label(path)))
        if "[Content_Types].xml" in names:
            if not macro_known and self.ooxml_has_macros(path, data, infos):
                self.reasons.append(reason("macro_document", Verdict.SUSPICIOUS, name=_label(path)))
            return
        others = set(self.named(path, [i.filename for i in infos if not i.is_dir()]))
        unread = None
        for info in infos:
            self.tick()
            if info.filename not in others or info.flag_bits & 0x1 or info.file_size == 0:
                continue
            head = self.zip_member(path, data, info, SNIFF_BYTES)
            if head is None:  # a method or a dictionary this check refuses, or a broken entry
                unread = unread or f"{info.filename}: cannot unpack (method {info.compress_type})"
                continue
            whole = lambda info=info: self.zip_whole(path, data, info)  # noqa: E731
            self.content((*path, info.filename), head, whole)
        if unread:
            self.partly(path, unread, stop=False)

    def zip_member(self, path, data: bytes, info: zipfile.ZipInfo, limit: int) -> bytes | None:
        pieces = zip_pieces(data, info)
        if pieces is None:
            return None
        return self.read(path, pieces, min(limit, info.file_size))

    def zip_whole(self, path, data: bytes, info: zipfile.ZipInfo) -> bytes | None:
        if info.file_size > self.budget.remaining:
            self.partly(path, f"{info.filename}: more than the budget left to unpack")
        return self.zip_member(path, data, info, info.file_size)

    def ooxml_has_macros(self, path, data: bytes, infos) -> bool:
        for info in infos:
            lowered = info.filename.lower()
            if lowered.endswith("vbaproject.bin") or lowered.startswith("xl/macrosheets/"):
                return True
        for info in infos:
            if not info.filename.lower().endswith(".bin") or info.file_size > MAX_OLE_BYTES:
                continue
            if info.flag_bits & 0x1 or info.file_size > self.budget.remaining:
                continue
            member = self.zip_member(path, data, info, info.file_size)
            if member and member[:8] == OLE_MAGIC and ole_has_macros(info.filename, member):
                return True
        return False

    # --- 7z -----------------------------------------------------------------------------------
    def seven_zip(self, path: tuple[str, ...], data: bytes) -> None:
        import py7zr

        try:
            if seven_zip_header_too_large(data):
                self.bomb(path, "7z header")
            with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
                entries = archive.list()
                encrypted = archive.needs_password()
                step = seven_zip_step_input(archive)
        except py7zr.PasswordRequired:
            self.reasons.append(_encrypted(_label(path)))
            return
        except _Stop:
            raise
        except Exception:  # a damaged 7z is listed as nothing rather than failing the message
            return
        self.listed(path, len(entries))
        files = [e for e in entries if not e.is_directory]
        self.sizes(path, ((e.filename, e.uncompressed or 0, None) for e in files))
        total = sum(e.uncompressed or 0 for e in files)
        if total > RATIO_FLOOR and total > MAX_RATIO * len(data):
            self.bomb(path, f"ratio {total // max(len(data), 1)}")
        if encrypted:
            self.reasons.append(_encrypted(_label(path)))
        names = [e.filename for e in files]
        flagged = set(names) - set(self.named(path, names))
        if encrypted or not total or flagged == set(names):
            return
        if isinstance(step, str):
            self.partly(path, step, stop=False)
            return
        if total > self.budget.remaining:
            self.partly(path, f"{total} bytes to unpack, more than the budget left")
        for name, product in self.seven_zip_members(path, data, step):
            if name not in flagged and product.written:
                self.tick()
                member = (*path, name)
                head = bytes(product.kept[:SNIFF_BYTES])
                self.content(member, head, lambda p=product: bytes(p.kept))

    def seven_zip_members(self, path, data: bytes, step: int):
        """(name, what was kept of it) for every member, decompressed into the keepers of
        mail_decompress.py, which charge each written piece to the budget."""
        import py7zr

        factory = KeeperFactory(self, path)
        try:
            with py7zr.SevenZipFile(io.BytesIO(data), blocksize=step) as archive:
                archive.extractall(factory=factory)
        except _Stop:
            raise
        except Exception as exc:  # damaged, or a method or name py7zr refuses: what came out
            # is judged, and the rest is told, since a tool may still extract it.
            self.partly(path, f"cannot unpack: {type(exc).__name__}", stop=False)
        return list(factory.products.items())

    # --- rar ----------------------------------------------------------------------------------
    def rar(self, path: tuple[str, ...], data: bytes) -> None:
        import rarfile

        seen = 0

        def count(_info) -> None:
            nonlocal seen
            seen += 1
            if seen > MAX_MEMBERS:
                raise _TooManyMembers

        try:
            archive = rarfile.RarFile(io.BytesIO(data), info_callback=count)
            infos = archive.infolist()
            encrypted = archive.needs_password() or any(i.needs_password() for i in infos)
        except _TooManyMembers:
            self.bomb(path, f"more than {MAX_MEMBERS} members")
        except rarfile.PasswordRequired:
            self.reasons.append(_encrypted(_label(path)))
            return
        except Exception:  # damaged or unsupported RAR: nothing to list
            return
        self.listed(path, len(infos))
        files = [i for i in infos if not i.is_dir()]
        self.sizes(path, ((i.filename, i.file_size or 0, i.compress_size) for i in files))
        if encrypted:
            self.reasons.append(_encrypted(_label(path)))
            return
        others = set(self.named(path, [i.filename for i in files]))
        for info in files:
            self.tick()
            if info.filename not in others or not info.file_size:
                continue
            head = self.rar_member(path, archive, info, SNIFF_BYTES)
            whole = lambda info=info: self.rar_whole(path, archive, info)  # noqa: E731
            self.content((*path, info.filename), head, whole)

    def rar_member(self, path, archive, info, limit: int) -> bytes | None:
        """Stored members are read by rarfile itself, compressed ones through unrar, unar or
        bsdtar when one is installed; None when neither can."""
        try:
            with archive.open(info) as handle:
                return self.read(path, handle_pieces(handle), min(limit, info.file_size))
        except _Stop:
            raise
        except Exception:  # no tool for this method, or a damaged member: listed only, and said
            self.partly(path, f"{info.filename}: cannot be unpacked here", stop=False)
            return None

    def rar_whole(self, path, archive, info) -> bytes | None:
        if info.file_size > self.budget.remaining:
            self.partly(path, f"{info.filename}: more than the budget left to unpack")
        return self.rar_member(path, archive, info, info.file_size)


class _TooManyMembers(Exception):
    pass


def _label(path: tuple[str, ...]) -> str:
    """outer.zip › inner.7z › payload.exe"""
    return PATH_SEPARATOR.join(shown_name(p) for p in path)


def _encrypted(name: str) -> Reason:
    return reason("encrypted_archive", Verdict.SUSPICIOUS, name=name)


def _zip_entry_count(data: bytes) -> int | None:
    """Entries declared by the end-of-central-directory record, read before zipfile is."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, end + 10)[0]
