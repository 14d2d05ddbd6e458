"""Names and real types of attachments: programs, scripts, shortcuts, disk images, macro
documents and disguises. What a name reveals (name_findings), the real type the first bytes
reveal (sniff, identify), the two side by side (named_findings: a ".pdf" that is a program),
macros of OLE Office files (ole_has_macros), and the names a mail program shows for a MIME part
(attachment_names).

Names are decoded the way mail programs decode them: RFC 2231 parameters (continuations and
charsets included) and RFC 2047 encoded words, even inside quoted parameters where the RFC
forbids them, since Outlook and Thunderbird decode them there; every name a program may show
(Content-Disposition's filename, Content-Type's name) is judged.

Bounded in memory and time: a real type is told from the first SNIFF_BYTES only (and the
ISO 9660 mark at 32 KB), puremagic sees no more than those; oletools runs only on Office files
of at most MAX_OLE_BYTES; at most MAX_NAMES names of one part are judged, from header values
mail.py has already cut.

This module imports no other part of the attachment check, so that the modules that judge
with it import it without a cycle: mail_archives.py (inspect_attachment, the entry point for one
attachment, and the walk into archives, which judges every member by name and real type) and
mail_decompress.py.
"""

import base64
import binascii
import codecs
import re
import struct
import warnings

import puremagic

from chinhthong.verify.results import Reason, Verdict, reason

SNIFF_BYTES = 2048
MAX_OLE_BYTES = 10 * 1024 * 1024  # Office files larger than this are not given to oletools
MAX_NAMES = 4  # names of one attachment judged

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
NESTED = frozenset({"ZIP", "7Z", "RAR"})  # archives looked into
MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# puremagic knows many more formats; its answer is used only when it names one of these.
PUREMAGIC_TYPES = {".msi": "OLE", ".cab": "CAB", ".jar": "ZIP", ".iso": "ISO", ".exe": "PE"}
# Extensions whose files always start with a signature sniff() knows.
SIGNED = frozenset(
    """pdf png jpg jpeg gif zip rar 7z docx xlsx pptx doc xls ppt odt ods odp""".split()
)


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


_NAME_PARAMS = (("content-disposition", "filename"), ("content-type", "name"))
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?]{0,2048}?)\?=")


def attachment_names(part) -> list[str]:
    """Every name a mail program may show for a MIME part, decoded, without repeats: the
    filename of Content-Disposition (RFC 2231 or plain, every occurrence), then the name of
    Content-Type; encoded words are decoded in all of them."""
    names: list[str] = []
    for header, wanted in _NAME_PARAMS:
        for key, value in _params(part, header):
            if key.strip().lower() != wanted:
                continue
            name = _param_text(value)
            if name and name not in names and len(names) < MAX_NAMES:
                names.append(name)
    return names


def _params(part, header: str) -> list:
    """The parameters of a header (after its value), [] when the parser fails on it."""
    try:
        return (part.get_params(header=header) or [])[1:]
    except Exception:  # a hostile header the parameter parser fails on
        return []


def _param_text(value) -> str:
    """A parameter value as text: RFC 2231 (charset, language, text) decoded with its charset,
    then RFC 2047 encoded words decoded; undecodable bytes become U+FFFD."""
    if isinstance(value, tuple):
        charset, _, text = value
        text = _charset_text(bytes(text, "raw-unicode-escape"), charset or "us-ascii")
    else:
        text = str(value)
    text = decode_encoded_words(text)
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(text.replace("\x00", "").split())


def decode_encoded_words(text: str) -> str:
    """RFC 2047 encoded words decoded wherever they stand, as mail programs do (inside quoted
    strings and words too); the white space between adjacent encoded words is dropped and the
    bytes of adjacent words in one charset are joined before decoding, so a character split
    across two words survives. Malformed words stay as they are."""
    if "=?" not in text:
        return text
    pieces: list[str] = []
    run, charset, last = bytearray(), "", 0
    for match in _ENCODED_WORD.finditer(text):
        gap = text[last : match.start()]
        data = _word_bytes(match.group(2), match.group(3))
        word_charset = match.group(1).split("*", 1)[0]  # RFC 2231 adds *language
        joins = bool(charset) and data is not None and not gap.strip()
        if charset and (not joins or word_charset.lower() != charset.lower()):
            pieces.append(_charset_text(bytes(run), charset))
            run, charset = bytearray(), ""
        if not joins:
            pieces.append(gap)
        if data is None:
            pieces.append(match.group(0))
        else:
            run += data
            charset = word_charset
        last = match.end()
    if charset:
        pieces.append(_charset_text(bytes(run), charset))
    pieces.append(text[last:])
    return "".join(pieces)


def _word_bytes(encoding: str, text: str) -> bytes | None:
    """The bytes of an encoded word's text, decoded leniently as mail programs do."""
    raw = text.encode("utf-8", "surrogateescape")
    if encoding in "qQ":
        return binascii.a2b_qp(raw, header=True)
    raw = re.sub(rb"[^A-Za-z0-9+/]", b"", raw)
    if len(raw) % 4 == 1:
        raw = raw[:-1]
    try:
        return base64.b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return None


def _charset_text(data: bytes, charset: str) -> str:
    """``data`` decoded with ``charset`` when it is a text encoding Python knows, else as
    UTF-8; never raises."""
    try:
        codec = codecs.lookup(charset.strip().strip('"'))
        if getattr(codec, "_is_text_encoding", True):
            return data.decode(codec.name, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        pass
    return data.decode("utf-8", "replace")


# --- names beside the real type -----------------------------------------------------------
def named_findings(name: str, kind: str | None) -> list[tuple[str, dict]]:
    """What one name reveals, alone and beside the content's real type."""
    found = name_findings(name)
    codes = {code for code, _ in found}
    exts = extensions(name)
    last = exts[-1] if exts else ""
    if kind in RUNS_CODE and "dangerous" not in codes:
        found.append(("dangerous", {"type": kind}))
    if "disguised" not in codes and _content_disguised(kind, last):
        found.append(("disguised", {"shown": "." + last, "real": kind}))
    return found


def _content_disguised(kind: str | None, last: str) -> bool:
    """The name declares an extension, and the content is a riskier type than it says."""
    if not last or kind not in HONEST or last in HONEST[kind]:
        return False
    if kind in RUNS_CODE or kind in ARCHIVES or kind == "OLE":
        return True
    return kind == "HTML" and last in DECOYS


def attachment_reason(code: str, shown: str, params: dict) -> Reason:
    """The reason of a finding (code, params) about the attachment a reader sees as ``shown``."""
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
