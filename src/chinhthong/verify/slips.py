"""Which one-letter differences are typing or reading slips.

A look-alike registered to catch a slip adds, drops, doubles or swaps a letter, or puts a
letter where a reader or typist mistakes it for the right one: the key next to it, another
vowel, a letter of the same shape, or a letter Vietnamese speakers confuse in spelling. A name
that differs from an official one by any other letter is a different word more often than a
trap — Lao Động (laodong.vn) is not a slip of Lâm Đồng (lamdong.gov.vn) — so such a
difference is not counted as a typing slip. dnstwist's typo generators follow the same
division (adjacent-key replacement, vowel swap, homoglyphs; any insertion or omission).
"""

from functools import lru_cache

# Neighbouring keys on a QWERTY keyboard, the layout Vietnamese typing methods use.
_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEYS: dict[str, set[str]] = {}
for _row_number, _row in enumerate(_ROWS):
    for _column, _key in enumerate(_row):
        near = _KEYS.setdefault(_key, set())
        for _other_row in (_row_number - 1, _row_number, _row_number + 1):
            if 0 <= _other_row < len(_ROWS):
                # Rows are staggered: a key touches the one above it and the one up-right.
                offsets = (-1, 1) if _other_row == _row_number else (0, 1)
                if _other_row > _row_number:
                    offsets = (-1, 0)
                for offset in offsets:
                    column = _column + offset
                    if 0 <= column < len(_ROWS[_other_row]):
                        near.add(_ROWS[_other_row][column])
        near.discard(_key)

_VOWELS = frozenset("aeiouy")
# Letters of the same shape in common fonts, and letters Vietnamese spelling confuses
# (s/x, l/n, d/r/z/gi, c/k/q, g/q).
_ALIKE = frozenset(
    frozenset(pair)
    for pair in (
        "bd", "bh", "gq", "mn", "uv", "ce", "il", "ij", "lt", "ft", "rn", "hn", "ao", "oc",
        "sx", "ln", "dr", "dz", "rz", "ck", "kq", "cq", "vw", "yv",
    )
)  # fmt: skip


def is_slip(typed: str, meant: str) -> bool:
    """Could ``typed`` be ``meant`` mistyped or misread (one letter for the other)?"""
    return (
        typed == meant
        or typed in _KEYS.get(meant, ())
        or (typed in _VOWELS and meant in _VOWELS)
        or frozenset((typed, meant)) in _ALIKE
    )


@lru_cache(maxsize=20_000)
def slip_distance(name: str, official: str, limit: int) -> int:
    """The optimal-string-alignment distance from ``official`` to ``name`` counting only
    slips (any insertion, omission or swap of neighbours; replacements by is_slip); more
    than ``limit`` when the names differ otherwise."""
    if abs(len(name) - len(official)) > limit:
        return limit + 1
    rows, columns = len(name) + 1, len(official) + 1
    too_far = limit + 1
    previous2: list[int] = []
    previous = list(range(columns))
    for i in range(1, rows):
        current = [i] + [too_far] * (columns - 1)
        # Cells further than ``limit`` from the diagonal cannot come back under the limit.
        for j in range(max(1, i - limit), min(columns, i + limit + 1)):
            a, b = name[i - 1], official[j - 1]
            cost = previous[j - 1] + (0 if a == b else 1 if is_slip(a, b) else too_far)
            cost = min(cost, previous[j] + 1, current[j - 1] + 1)
            if i > 1 and j > 1 and a == official[j - 2] and name[i - 2] == b:
                cost = min(cost, previous2[j - 2] + 1)
            current[j] = min(cost, too_far)
        if min(current) > limit:
            return too_far
        previous2, previous = previous, current
    return previous[-1]
