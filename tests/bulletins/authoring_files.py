"""Files an editor attaches, and hostile ones, written byte by byte (pictures come from
tests/portal/pictures.py)."""

import struct

from tests.portal.pictures import SVG, gif, jpeg, png, webp

__all__ = ["EXE", "SVG", "gif", "jpeg", "pdf", "png", "webp"]


def pdf(text: str = "Hướng dẫn", *, extra: bytes = b"") -> bytes:
    """A one-page PDF with a cross-reference table whose offsets are right; ``extra`` goes in
    the catalogue (an /OpenAction, say)."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text.encode('ascii', 'replace').decode()}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# A Windows program's first bytes (DOS header pointing at a PE header), as a "how to avoid
# infection.pdf" would carry.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\xb8" + b"\x00" * 7 + b"\x40" + b"\x00" * 35 + struct.pack("<I", 0x80)
    + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 7
    + b"PE\x00\x00\x4c\x01\x03\x00" + b"\x00" * 400
)  # fmt: skip
