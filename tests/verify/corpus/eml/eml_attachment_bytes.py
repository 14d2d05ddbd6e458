"""Attachment contents for the samples: a Windows program's header, a minimal PDF and
shortcut, and the files the standard library cannot write (an OLE document with a VBA project,
RAR archives), assembled byte by byte, plus zip, 7z and ISO helpers."""

import io
import struct
import zipfile
import zlib

# A Windows program's first bytes: the DOS header pointing (at 0x3C) to the "PE" signature.
PE = b"MZ\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64) + b"PE\x00\x00\x4c\x01" + b"\x00" * 250
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

LNK = b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F" + b"\x00" * 60


# --- attachments the standard library cannot write ------------------------------------------
def ole_with_vba() -> bytes:
    """A Compound File (OLE2, version 3) holding a Word-style VBA project: Macros/PROJECT,
    Macros/VBA/dir and Macros/VBA/_VBA_PROJECT, each stream 4 KB so no mini stream is needed."""
    sector = 512
    streams = {
        "WordDocument": b"\xec\xa5" + b"\x00" * 4094,
        "PROJECT": (
            b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisDocument/&H00000000\r\n'
        ).ljust(4096, b"\x00"),
        "dir": (b"\x01" + b'Attribut\x00e VB_Name = "ThisDocument"').ljust(4096, b"\x00"),
        "_VBA_PROJECT": b"\xcc\x61\xff\xff\x00".ljust(4096, b"\x00"),
    }
    # id, name, type (5 root, 1 storage, 2 stream), left, right, child
    none = 0xFFFFFFFF
    entries = [
        (0, "Root Entry", 5, none, none, 1),
        (1, "WordDocument", 2, none, 2, none),
        (2, "Macros", 1, none, none, 3),
        (3, "PROJECT", 2, none, 4, none),
        (4, "VBA", 1, none, none, 5),
        (5, "dir", 2, none, 6, none),
        (6, "_VBA_PROJECT", 2, none, none, none),
    ]
    dir_sectors = (len(entries) * 128 + sector - 1) // sector
    first_data = 1 + dir_sectors
    fat = [0xFFFFFFFD] + [i + 2 for i in range(dir_sectors - 1)] + [0xFFFFFFFE]
    starts, data = {}, b""
    for name, content in streams.items():
        count = len(content) // sector
        starts[name] = first_data + len(data) // sector
        fat += [starts[name] + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
        data += content
    fat += [0xFFFFFFFF] * (128 - len(fat))
    directory = b""
    for _id, name, kind, left, right, child in entries:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        start = starts.get(name, 0xFFFFFFFE)
        size = len(streams[name]) if name in streams else 0
        directory += (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )
    directory = directory.ljust(dir_sectors * sector, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([0xFFFFFFFF] * 108))
    )
    return header + struct.pack("<128I", *fat) + directory + data


def rar4(members: list[tuple[str, bytes]], encrypted: bool = False, method: int = 0x30) -> bytes:
    """A RAR 4 archive with stored (uncompressed) members; header CRCs as unrar checks them.
    Another ``method`` (0x33, "normal") marks the members compressed without compressing them:
    what only unrar could open, and even it would find damaged."""

    def block(kind: int, flags: int, body: bytes) -> bytes:
        head = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(head) & 0xFFFF) + head

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6)
    for name, content in members:
        encoded = name.encode("ascii")
        flags = 0x8000 | (0x04 if encrypted else 0)
        body = (
            struct.pack(
                "<IIBIIBBHI",
                len(content),
                len(content),
                2,
                zlib.crc32(content),
                0x54473A00,
                29,
                method,
                len(encoded),
                0x20,
            )
            + encoded
        )
        out += block(0x74, flags, body) + content
    return out + block(0x7B, 0, b"")


def zip_of(members: list[tuple[str, bytes]], encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2022, 2, 7, 8, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    data = bytearray(buffer.getvalue())
    if encrypted:
        # zipfile cannot encrypt; setting the flag bit is what a scanner sees in the listing.
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at >= 0:
                data[at + offset] |= 0x1
                at = data.find(signature, at + 4)
    return bytes(data)


def seven_zip(members: list[tuple[str, bytes]], password: str | None = None) -> bytes:
    import py7zr

    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=password, header_encryption=bool(password)) as a:
        for name, content in members:
            a.writestr(content, name)
    return buffer.getvalue()


def iso_image() -> bytes:
    image = bytearray(0x8800)
    image[0x8000:0x8006] = b"\x01CD001"
    return bytes(image)
