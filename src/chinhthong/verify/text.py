"""Vietnamese text folding for search and comparison."""

import unicodedata

# Đ/đ is a letter of its own, not D with a combining mark, so NFD leaves it alone.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    if text.isascii():
        return " ".join(text.lower().split())
    return _fold(text)


def _fold(text: str) -> str:
    """Lowercase, no diacritics, single spaces: "Kiểm soát  Bệnh tật" -> "kiem soat benh tat"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())
