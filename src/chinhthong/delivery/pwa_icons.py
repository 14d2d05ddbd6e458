"""Draws the installed portal's PNG icons from the site's shield (static/chinhthong/favicon.svg):
browsers and iOS's Home Screen want PNGs at fixed sizes, and no image library is a dependency.

    python -m chinhthong.delivery.pwa_icons     # writes static/chinhthong/pwa-*.png

The shapes are those of favicon.svg (a 64×64 drawing): the shield's outline and the check
mark (a 7-unit round-capped stroke), filled with 4×4 samples a pixel. Run it again if the
shield changes; the PNGs are kept with the static files.
"""

import struct
import sys
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static" / "chinhthong"
RED = (0xA4, 0x16, 0x1A)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4


def _cubic(p0, p1, p2, p3, steps=24):
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        yield (
            u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
        )


# favicon.svg: M32 3 7 12v17c0 16 11 27 25 32 14-5 25-16 25-32V12z
SHIELD = [
    (32, 3),
    (7, 12),
    (7, 29),
    *_cubic((7, 29), (7, 45), (18, 56), (32, 61)),
    *_cubic((32, 61), (46, 56), (57, 45), (57, 29)),
    (57, 12),
]
# m20 32 8 8 17-17, stroke-width 7, round caps and joins
CHECK = [((20, 32), (28, 40)), ((28, 40), (45, 23))]
CHECK_RADIUS = 3.5


def _polygon_spans(points, y):
    """The x intervals inside the polygon on the line at height ``y`` (even-odd rule)."""
    crossings = []
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        if (y0 <= y < y1) or (y1 <= y < y0):
            crossings.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    crossings.sort()
    return list(zip(crossings[::2], crossings[1::2], strict=False))


def _capsule_span(a, b, r, y):
    """The x interval of the round-capped segment a–b of radius r on the line at ``y``."""
    lows, highs = [], []
    for cx, cy in (a, b):
        dy = y - cy
        if abs(dy) <= r:
            half = (r * r - dy * dy) ** 0.5
            lows.append(cx - half)
            highs.append(cx + half)
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = (dx * dx + dy * dy) ** 0.5
    ux, uy = dx / length, dy / length
    lo, hi = -1e9, 1e9
    # 0 <= (P-A)·u <= length and -r <= (P-A)·n <= r, each linear in x.
    for coeff, const, low, high in (
        (ux, (y - a[1]) * uy - a[0] * ux, 0, length),
        (-uy, (y - a[1]) * ux + a[0] * uy, -r, r),
    ):
        if abs(coeff) < 1e-12:
            if not low <= const <= high:
                lo, hi = 1, 0
            continue
        x0, x1 = (low - const) / coeff, (high - const) / coeff
        lo, hi = max(lo, min(x0, x1)), min(hi, max(x0, x1))
    if lo <= hi:
        lows.append(lo)
        highs.append(hi)
    return (min(lows), max(highs)) if lows else None


def _cover(row, start, end, weight):
    """Add the coverage of [start, end) (pixel units) to ``row``."""
    start, end = max(start, 0.0), min(end, float(len(row)))
    if end <= start:
        return
    first, last = int(start), int(end)
    if first == last:
        row[first] += (end - start) * weight
        return
    row[first] += (first + 1 - start) * weight
    for x in range(first + 1, min(last, len(row))):
        row[x] += weight
    if last < len(row):
        row[last] += (end - last) * weight


def draw(size, *, inset=0.0, background=None):
    """RGBA rows of the icon: the shield (scaled into ``size`` less ``inset`` on each side)
    over ``background`` (None: transparent)."""
    scale = (size - 2 * inset) / 64
    rows = []
    for py in range(size):
        shield, check = [0.0] * size, [0.0] * size
        for sub in range(SAMPLES):
            y = ((py + (sub + 0.5) / SAMPLES) - inset) / scale
            for x0, x1 in _polygon_spans(SHIELD, y):
                _cover(shield, x0 * scale + inset, x1 * scale + inset, 1 / SAMPLES)
            spans = [_capsule_span(a, b, CHECK_RADIUS, y) for a, b in CHECK]
            spans = sorted(s for s in spans if s)
            merged = []
            for lo, hi in spans:
                if merged and lo <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
                else:
                    merged.append((lo, hi))
            for lo, hi in merged:
                _cover(check, lo * scale + inset, hi * scale + inset, 1 / SAMPLES)
        rows.append(_pixels(shield, check, background))
    return rows


def _pixels(shield, check, background):
    out = bytearray()
    for s, c in zip(shield, check, strict=True):
        s, c = min(s, 1.0), min(c, 1.0)
        red = max(s - c, 0.0)
        alpha = red + c
        if background is not None:
            base = 1 - alpha
            rgb = [RED[i] * red + WHITE[i] * c + background[i] * base for i in range(3)]
            out += bytes(round(v) for v in rgb) + b"\xff"
        elif alpha <= 0:
            out += b"\0\0\0\0"
        else:
            rgb = [(RED[i] * red + WHITE[i] * c) / alpha for i in range(3)]
            out += bytes(round(v) for v in rgb) + bytes([round(alpha * 255)])
    return bytes(out)


def png(rows) -> bytes:
    height, width = len(rows), len(rows[0]) // 4

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    raw = b"".join(b"\0" + row for row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


ICONS = {
    # name: (size, inset, background)
    "pwa-icon-192.png": (192, 8, None),
    "pwa-icon-512.png": (512, 20, None),
    # Maskable: the launcher crops to a circle or squircle of 80% of the side; white behind.
    "pwa-icon-maskable-512.png": (512, 112, WHITE),
    # iOS fills transparency with black: white behind.
    "pwa-apple-touch-icon.png": (180, 18, WHITE),
}


def main(folder: Path = STATIC) -> None:
    for name, (size, inset, background) in ICONS.items():
        (folder / name).write_bytes(png(draw(size, inset=inset, background=background)))
        print(folder / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else STATIC)
