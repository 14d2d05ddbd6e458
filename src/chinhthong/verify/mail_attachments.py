"""Attachments of a message judged by their real content and their name: programs, scripts,
shortcuts, disk images, macro documents and disguises, and archives looked into one level deep
(zip, 7z, rar) without ever unpacking more than a small byte budget.

Everything here works on bytes already in memory and is bounded: only the first bytes of a
file are sniffed, archives are listed rather than extracted, and oletools runs only on Office
files that are small enough.
"""

import io
import struct
import warnings
import zipfile
from dataclasses import dataclass

import puremagic

from chinhthong.verify.results import Reason, Verdict, reason

SNIFF_BYTES = 2048
MAX_MEMBERS = 1000  # members listed in one archive
MAX_MEMBER_SIZE = 50 * 1024 * 1024  # declared uncompressed size of one member
MAX_RATIO = 100  # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
READ_BUDGET = 8 * 1024 * 1024  # bytes decompressed from archives for one whole message
MAX_OLE_BYTES = 10 * 1024 * 1024  # Office files larger than this are not given to oletools
MAX_7Z_HEADER = 256 * 1024  # bytes of a 7z archive's (decoded) header

# Extensions that run code or mount something that does, when a resident double-clicks them.
DANGEROUS = frozenset(
    """exe scr com pif msi msp dll cpl bat cmd js jse vbs vbe wsf wsh ws ps1 psm1 hta jar lnk
    url scf iso img vhd vhdx apk appx msix chm reg gadget xll""".split()
)
MACRO = frozenset("docm dotm xlsm xltm xlam pptm potm ppsm ppam sldm".split())
# Names a resident trusts: the first extension of a double extension.
DECOYS = frozenset(
    """pdf doc docx xls xlsx ppt pptx odt ods rtf txt csv jpg jpeg png gif bmp tif tiff mp3 mp4
    avi mov wav zip rar 7z html htm xml jpe heic webp""".split()
)
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
RLO = "\u202e"

# What content may honestly carry each real type: real type -> extensions that declare it.
HONEST = {
    "PE": frozenset("exe scr com pif dll cpl sys ocx drv efi mui xll".split()),
    "ELF": frozenset("elf so bin run".split()),
    "Mach-O": frozenset("dylib bundle app bin class".split()),
    # Password-protected OOXML documents are OLE containers too.
    "OLE": frozenset(
        """doc dot xls xlt xla ppt pot pps msg msi msp pub vsd mpp db docx docm dotx dotm xlsx
        xlsm xltx xltm xlsb xlam pptx pptm potx potm ppsx ppsm ppam""".split()
    ),
    "ZIP": frozenset(
        """zip docx docm dotx dotm xlsx xlsm xltx xltm xlsb xlam pptx pptm potx potm ppsx ppsm
        ppam sldx sldm odt ods odp odg jar apk epub xps oxps kmz appx msix ipa nupkg vsix whl
        3mf""".split()
    ),
    "7Z": frozenset({"7z"}),
    "RAR": frozenset({"rar"}) | {f"r{n:02d}" for n in range(100)},
    "CAB": frozenset({"cab"}),
    "LNK": frozenset({"lnk"}),
    "ISO": frozenset({"iso", "img"}),
    "VHD": frozenset({"vhd", "img"}),
    "VHDX": frozenset({"vhdx"}),
    "HTML": frozenset("html htm shtml xhtml hta mht mhtml svg xml".split()),
}
RUNS_CODE = frozenset({"PE", "ELF", "Mach-O", "LNK", "ISO", "VHD", "VHDX"})
ARCHIVES = frozenset({"ZIP", "7Z", "RAR", "CAB"})
MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# puremagic knows many more formats; its answer is used only when it names one of these.
PUREMAGIC_TYPES = {".msi": "OLE", ".cab": "CAB", ".jar": "ZIP", ".iso": "ISO", ".exe": "PE"}
# Extensions whose files always start with a signature sniff() knows.
SIGNED = frozenset(
    """pdf png jpg jpeg gif zip rar 7z docx xlsx pptx doc xls ppt odt ods odp""".split()
)


@dataclass
class Budget:
    """Bytes that may still be decompressed for the message being analysed."""

    remaining: int = READ_BUDGET

    def take(self, size: int) -> bool:
        if size > self.remaining:
            return False
        self.remaining -= size
        return True


def sniff(data: bytes) -> str | None:
    """The real type of a file from its first bytes (and the ISO 9660 mark at 32 KB)."""
    head = data[:SNIFF_BYTES]
    if head[:2] == b"MZ" and _pe_header(data):
        return "PE"
    if head[:4] == b"\x7fELF":
        return "ELF"
    if head[:4] in MACH_O or head[:4] == b"\xca\xfe\xba\xbe":
        return "Mach-O"
    if head[:8] == OLE_MAGIC:
        return "OLE"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "ZIP"
    if head[:6] == b"7z\xbc\xaf\x27\x1c":
        return "7Z"
    if head[:6] == b"Rar!\x1a\x07":
        return "RAR"
    if head[:4] == b"MSCF":
        return "CAB"
    if head[:8] == b"L\x00\x00\x00\x01\x14\x02\x00":
        return "LNK"
    if head[:8] == b"conectix" or data[-512:-504] == b"conectix":
        return "VHD"
    if head[:8] == b"vhdxfile":
        return "VHDX"
    if any(data[at : at + 5] == b"CD001" for at in (0x8001, 0x8801, 0x9001)):
        return "ISO"
    if b"%PDF-" in head[:1024]:
        return "PDF"
    if head[:4] in (b"\x89PNG", b"GIF8") or head[:3] == b"\xff\xd8\xff":
        return "IMAGE"
    start = head.lstrip()[:64].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<hta:", b"<script")):
        return "HTML"
    return None


def _pe_header(data: bytes) -> bool:
    """A Windows program: the DOS header points at the "PE" signature (a text that merely
    starts with "MZ" is not one)."""
    if len(data) < 64:
        return False
    (offset,) = struct.unpack_from("<I", data, 0x3C)
    return data[offset : offset + 4] == b"PE\x00\x00"


def identify(data: bytes, ext: str) -> str | None:
    """sniff(), and puremagic's opinion when a name promises a format with a signature that
    the content lacks (a ".pdf" that is no PDF): it knows many more formats than sniff()."""
    kind = sniff(data)
    if kind is None and ext in SIGNED:
        kind = _puremagic(data[:SNIFF_BYTES])
    return kind


def _puremagic(head: bytes) -> str | None:
    if len(head) < 8:
        return None
    try:
        found = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    return next(
        (PUREMAGIC_TYPES[f.extension] for f in found[:3] if f.extension in PUREMAGIC_TYPES), None
    )


# --- names ----------------------------------------------------------------------------------
def extensions(name: str) -> list[str]:
    """hoso.pdf .exe -> ["pdf", "exe"]: dot-separated tails, lower-case, spaces dropped."""
    pieces = name.strip().rstrip(". ").split(".")[1:]
    return [p.strip().lower() for p in pieces if p.strip()][-3:]


def shown_name(name: str) -> str:
    """What a reader sees: a right-to-left override displays the rest of the name reversed."""
    if RLO in name:
        before, _, after = name.partition(RLO)
        name = before + after[::-1]
    return "".join(ch for ch in name if ch not in BIDI)


def name_findings(name: str) -> list[tuple[str, dict]]:
    """(code, params) for what a file name alone reveals."""
    found: list[tuple[str, dict]] = []
    exts = extensions(name)
    last = exts[-1] if exts else ""
    if any(ch in BIDI for ch in name):
        shown = extensions(shown_name(name))
        found.append(
            ("disguised", {"shown": "." + (shown[-1] if shown else "?"), "real": "." + last})
        )
    elif len(exts) >= 2 and last in DANGEROUS | MACRO and exts[-2] in DECOYS:
        found.append(("disguised", {"shown": "." + exts[-2], "real": "." + last}))
    if last in DANGEROUS:
        found.append(("dangerous", {"type": "." + last}))
    if last in MACRO:
        found.append(("macro", {}))
    return found


# --- attachments ----------------------------------------------------------------------------
def inspect_attachment(name: str, data: bytes, budget: Budget, label: str = "") -> list[Reason]:
    """Reasons for one attachment (an empty list when nothing is wrong with it); ``label``
    names it in reasons when it has no file name (its content type, say)."""
    shown = shown_name(name) or label
    found = name_findings(name)
    codes = {code for code, _ in found}
    exts = extensions(name)
    last = exts[-1] if exts else ""
    kind = identify(data, last)
    if kind in RUNS_CODE and "dangerous" not in codes:
        found.append(("dangerous", {"type": kind}))
    if "disguised" not in codes and _content_disguised(kind, last):
        found.append(("disguised", {"shown": "." + last, "real": kind}))
    reasons = [_attachment_reason(code, shown, params) for code, params in found]
    macro_known = "macro" in codes
    if kind == "OLE" and not macro_known and ole_has_macros(name, data):
        reasons.append(reason("macro_document", Verdict.SUSPICIOUS, name=shown))
    elif kind == "ZIP":
        reasons.extend(inspect_zip(shown, data, budget, macro_known=macro_known))
    elif kind == "7Z":
        reasons.extend(inspect_7z(shown, data))
    elif kind == "RAR":
        reasons.extend(inspect_rar(shown, data))
    return reasons


def _content_disguised(kind: str | None, last: str) -> bool:
    """The name declares an extension, and the content is a riskier type than it says."""
    if not last or kind not in HONEST or last in HONEST[kind]:
        return False
    if kind in RUNS_CODE or kind in ARCHIVES or kind == "OLE":
        return True
    return kind == "HTML" and last in DECOYS


def _attachment_reason(code: str, shown: str, params: dict) -> Reason:
    if code == "dangerous":
        return reason("dangerous_attachment", Verdict.SUSPICIOUS, name=shown, **params)
    if code == "disguised":
        return reason("disguised_attachment", Verdict.SUSPICIOUS, name=shown, **params)
    return reason("macro_document", Verdict.SUSPICIOUS, name=shown)


def ole_has_macros(name: str, data: bytes) -> bool:
    """VBA macros in an OLE Office file, by oletools; False when it cannot tell."""
    if len(data) > MAX_OLE_BYTES:
        return False
    try:
        with warnings.catch_warnings():  # oletools' pyparsing grammar warns at import
            warnings.simplefilter("ignore")
            from oletools.olevba import VBA_Parser

        parser = VBA_Parser(name or "attachment", data=data)
        try:
            return bool(parser.detect_vba_macros())
        finally:
            parser.close()
    except Exception:  # oletools raises many kinds on hostile files; unknown means no finding
        return False


# --- archives -------------------------------------------------------------------------------
def _bomb(name: str, why: str) -> Reason:
    return reason("archive_bomb", Verdict.SUSPICIOUS, name=name, detail=why)


def _encrypted(name: str) -> Reason:
    return reason("encrypted_archive", Verdict.SUSPICIOUS, name=name)


def _members_reason(name: str, members: list[str]) -> list[Reason]:
    """One archive_contains naming the first risky member and how many there are."""
    risky = [m for m in members if name_findings(m.rsplit("/", 1)[-1])]
    if not risky:
        return []
    member = shown_name(risky[0])
    return [
        reason(
            "archive_contains", Verdict.SUSPICIOUS, name=name, member=member, count=str(len(risky))
        )
    ]


def _zip_entry_count(data: bytes) -> int | None:
    """Entries declared by the end-of-central-directory record, read before zipfile is."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, end + 10)[0]


def inspect_zip(name: str, data: bytes, budget: Budget, macro_known: bool = False) -> list[Reason]:
    count = _zip_entry_count(data)
    if count is not None and count > MAX_MEMBERS:
        return [_bomb(name, f"{count} members")]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # not a readable zip after all: nothing to list
        return []
    if len(infos) > MAX_MEMBERS:
        return [_bomb(name, f"{len(infos)} members")]
    for info in infos:
        if info.file_size > MAX_MEMBER_SIZE:
            return [_bomb(name, f"{info.filename}: {info.file_size} bytes")]
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return [
                _bomb(
                    name, f"{info.filename}: ratio {info.file_size // max(info.compress_size, 1)}"
                )
            ]
    names = [info.filename for info in infos]
    office = "[Content_Types].xml" in names
    reasons: list[Reason] = []
    if any(info.flag_bits & 0x1 for info in infos):
        reasons.append(_encrypted(name))
    if office:
        if not macro_known and _ooxml_has_macros(archive, infos, budget):
            reasons.append(reason("macro_document", Verdict.SUSPICIOUS, name=name))
        return reasons
    reasons.extend(_members_reason(name, names))
    if not any(r.code == "archive_contains" for r in reasons):
        reasons.extend(_zip_contents(name, archive, infos, budget))
    return reasons


def _zip_contents(name: str, archive: zipfile.ZipFile, infos, budget: Budget) -> list[Reason]:
    """Members whose content runs code although their name does not say so."""
    for info in infos:
        if info.is_dir() or info.flag_bits & 0x1 or info.file_size == 0:
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            continue  # bzip2/lzma decompressors have no output bound
        head = _read_member(archive, info, SNIFF_BYTES, budget)
        if head is None:
            break
        kind = sniff(head)
        if kind in RUNS_CODE:
            member = shown_name(info.filename)
            return [
                reason("archive_contains", Verdict.SUSPICIOUS, name=name, member=member, count="1")
            ]
    return []


def _read_member(archive: zipfile.ZipFile, info, size: int, budget: Budget) -> bytes | None:
    size = min(size, info.file_size)
    if not budget.take(size):
        return None
    try:
        with archive.open(info) as handle:
            return handle.read(size)
    except Exception:  # damaged members (bad CRC, bad deflate) are skipped, not fatal
        return b""


def _ooxml_has_macros(archive: zipfile.ZipFile, infos, budget: Budget) -> bool:
    for info in infos:
        lowered = info.filename.lower()
        if lowered.endswith("vbaproject.bin") or lowered.startswith("xl/macrosheets/"):
            return True
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            continue
        if not info.filename.lower().endswith(".bin") or info.file_size > MAX_OLE_BYTES:
            continue
        data = _read_member(archive, info, info.file_size, budget)
        if data and data[:8] == OLE_MAGIC and ole_has_macros(info.filename, data):
            return True
    return False


def _7z_header_too_large(data: bytes) -> bool:
    """A 7z archive's header may itself be compressed; refuse ones that decode to more than
    MAX_7Z_HEADER before py7zr decodes them in memory."""
    if len(data) < 32:
        return False
    offset, size = struct.unpack_from("<QQ", data, 12)
    if size > MAX_7Z_HEADER:
        return True
    start = 32 + offset
    header = data[start : start + size]
    if header[:1] != b"\x17":  # a plain header: its size is already bounded
        return False
    from py7zr.archiveinfo import HeaderStreamsInfo

    streams = HeaderStreamsInfo.retrieve(io.BytesIO(header[1:]))
    total = 0
    for folder in streams.unpackinfo.folders:
        sizes = folder.unpacksizes
        total += sizes[-1] if isinstance(sizes, (list, tuple)) else sizes
    return total > MAX_7Z_HEADER


def inspect_7z(name: str, data: bytes) -> list[Reason]:
    import py7zr

    try:
        if _7z_header_too_large(data):
            return [_bomb(name, "7z header")]
        with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
            entries = archive.list()
            encrypted = archive.needs_password()
    except py7zr.PasswordRequired:
        return [_encrypted(name)]
    except Exception:  # a damaged 7z is listed as nothing rather than failing the message
        return []
    if len(entries) > MAX_MEMBERS:
        return [_bomb(name, f"{len(entries)} members")]
    for entry in entries:
        size = entry.uncompressed or 0
        if size > MAX_MEMBER_SIZE:
            return [_bomb(name, f"{entry.filename}: {size} bytes")]
    reasons = [_encrypted(name)] if encrypted else []
    return reasons + _members_reason(name, [e.filename for e in entries if not e.is_directory])


class _TooManyMembers(Exception):
    pass


def inspect_rar(name: str, data: bytes) -> list[Reason]:
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
        return [_bomb(name, f"more than {MAX_MEMBERS} members")]
    except rarfile.PasswordRequired:
        return [_encrypted(name)]
    except Exception:  # damaged or unsupported RAR: nothing to list
        return []
    for info in infos:
        if (info.file_size or 0) > MAX_MEMBER_SIZE:
            return [_bomb(name, f"{info.filename}: {info.file_size} bytes")]
    reasons = [_encrypted(name)] if encrypted else []
    return reasons + _members_reason(name, [i.filename for i in infos if not i.is_dir()])
