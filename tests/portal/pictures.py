"""Real image files for the tests, written here byte by byte (PNG, GIF, ICO) or read from
tests/portal/data (JPEG and WebP, drawn once by Chromium's own encoders)."""

import struct
import zlib
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def png(width: int = 64, height: int = 64, colour=(200, 16, 46), ring=(255, 205, 0)) -> bytes:
    """A PNG of a red square with a yellow disc: a stand-in emblem."""
    rows = []
    cx, cy, r = width / 2, height / 2, min(width, height) / 3
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
            row += bytes(ring if inside else colour)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def gif(width: int = 20, height: int = 20) -> bytes:
    """A one-colour GIF: header, a two-entry colour table, one image, its LZW data, trailer."""
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0)
    table = b"\xc8\x10\x2e\xff\xff\xff"
    image = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return b"GIF89a" + screen + table + image + b"\x02\x02\x44\x01\x00" + b";"


def ico(inner: bytes | None = None, size: int = 32) -> bytes:
    """An icon holding one PNG image (the form browsers read since Windows Vista)."""
    inner = inner or png(size, size)
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(inner), 22)
    return b"\x00\x00\x01\x00" + struct.pack("<H", 1) + entry + inner


def jpeg() -> bytes:
    return (DATA / "emblem.jpg").read_bytes()


def webp() -> bytes:
    return (DATA / "emblem.webp").read_bytes()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b"<script>alert(document.cookie)</script><rect width='64' height='64'/></svg>"
)
