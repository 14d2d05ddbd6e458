"""The emblem and the site icon as uploaded bytes: at most a few hundred kilobytes, and an
image of an accepted type whose header is whole and whose size is sane — read from the bytes
themselves, never from the file's name or the type its sender declared. SVG is refused: it is
a document that can carry script. Uploads stay in memory (settings.FILE_UPLOAD_HANDLERS), so
nothing touches the disk before these checks pass; what passes is kept in the database."""

import struct
from dataclasses import dataclass

from django.utils.translation import gettext as _

EMBLEM = "emblem"
FAVICON = "favicon"
# Both fit, with the rest of the form, in one back-office request (settings.MAX_REQUEST_BODY).
MAX_BYTES = {EMBLEM: 160 * 1024, FAVICON: 64 * 1024}
MIN_SIDE, MAX_SIDE = 16, 4096
# content type -> (name shown to editors, file extension)
FORMATS = {
    "image/png": ("PNG", "png"),
    "image/jpeg": ("JPEG", "jpg"),
    "image/webp": ("WebP", "webp"),
    "image/gif": ("GIF", "gif"),
    "image/x-icon": ("ICO", "ico"),
}
ACCEPTED = {
    EMBLEM: ("image/png", "image/jpeg", "image/webp", "image/gif"),
    FAVICON: ("image/png", "image/x-icon"),
}


class ImageRejected(ValueError):
    """An upload refused, with a message for the editor."""


@dataclass(frozen=True)
class Image:
    content_type: str
    width: int
    height: int


def accepted_types(kind: str) -> str:
    return ", ".join(FORMATS[t][0] for t in ACCEPTED[kind])


def check_image(data: bytes, kind: str) -> Image:
    """The image in ``data`` when it may serve as ``kind``; raises ImageRejected saying why not."""
    limit = MAX_BYTES[kind]
    if len(data) > limit:
        raise ImageRejected(
            _("The file is larger than %(kb)s KB, the most this image may be.")
            % {"kb": limit // 1024}
        )
    if not data:
        raise ImageRejected(_("The file is empty."))
    if _looks_like_svg(data):
        raise ImageRejected(
            _("SVG files are not accepted: they can carry scripts. Save the image as PNG.")
        )
    content_type = _sniff(data)
    size = _SIZE_READERS[content_type](data) if content_type in ACCEPTED[kind] else None
    if size is None:
        raise ImageRejected(
            _("The file is not an image of an accepted type (%(types)s), or it is damaged.")
            % {"types": accepted_types(kind)}
        )
    width, height = size
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ImageRejected(
            _(
                "The image is %(width)s×%(height)s pixels; each side must be from %(min)s to "
                "%(max)s pixels."
            )
            % {"width": width, "height": height, "min": MIN_SIDE, "max": MAX_SIDE}
        )
    return Image(content_type, width, height)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _sniff(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"\x00\x00\x01\x00":
        return "image/x-icon"
    return ""


def _png(data: bytes) -> tuple[int, int] | None:
    # The first chunk is IHDR (13 bytes: width, height, ...), and the file ends with IEND.
    if data[12:16] != b"IHDR" or len(data) < 33 or b"IEND" not in data[-12:]:
        return None
    return struct.unpack(">II", data[16:24])


def _gif(data: bytes) -> tuple[int, int] | None:
    if len(data) < 14 or not data.rstrip(b"\x00").endswith(b";"):
        return None
    return struct.unpack("<HH", data[6:10])


def _webp(data: bytes) -> tuple[int, int] | None:
    if struct.unpack("<I", data[4:8])[0] + 8 != len(data) or len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        return width, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> tuple[int, int] | None:
    """The size in the first start-of-frame segment, walking the segments before it."""
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return (width, height) if data.rstrip(b"\x00").endswith(b"\xff\xd9") else None
        if length < 2:
            return None
        position += 2 + length
    return None


def _ico(data: bytes) -> tuple[int, int] | None:
    """The largest image the icon holds; every entry must lie inside the file."""
    count = struct.unpack("<H", data[4:6])[0] if len(data) >= 6 else 0
    if not 0 < count <= 64 or len(data) < 6 + 16 * count:
        return None
    largest = (0, 0)
    for index in range(count):
        entry = data[6 + 16 * index : 22 + 16 * index]
        width, height = entry[0] or 256, entry[1] or 256
        size, offset = struct.unpack("<II", entry[8:16])
        if size == 0 or offset + size > len(data):
            return None
        largest = max(largest, (width, height))
    return largest


_SIZE_READERS = {
    "image/png": _png,
    "image/jpeg": _jpeg,
    "image/webp": _webp,
    "image/gif": _gif,
    "image/x-icon": _ico,
}
