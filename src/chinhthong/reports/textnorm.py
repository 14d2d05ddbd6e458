"""Reports' texts made comparable, and how alike two are (textmatch.py's first half).

Normalisation (`normalise`): NFC, lowercase; links, emoji and punctuation dropped; letters
repeated for emphasis squeezed ("quáaaa" → "quá", "khônggg" → "không"; "xoong" stays);
common teencode and abbreviations written out ("ko", "k", "hok", "hông" → "không"; "dc", "đc"
→ "được"; "vs" → "với"; "j" → "gì"; "ng" → "người"; "bít" → "biết"; a lone "h" and "10h" →
"giờ"; TEENCODE below); each syllable kept twice, with its tone (whichever vowel it was
written on: "hoà" = "hòa") and folded without diacritics (verify.text.fold). A text written
with diacritics is also segmented into words by underthesea ("phong_tỏa", "thành_phố"),
imported on first use, each text segmented once (cached). `stored_terms` / `from_terms`: the
prepared words as they are stored with a text, so that no process prepares them twice.

Scores 0..1 (`similarity`, `containment`) whose values mean something: see textmatch.py.
"""

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel

from chinhthong.verify.text import fold

# The most of a text prepared (a bulletin's body beyond it adds nothing to matching).
MAX_BULLETIN_CHARS = 20_000


# --- normalisation ---------------------------------------------------------------------------
TEENCODE = {
    # không
    "ko": "không",
    "k": "không",
    "kg": "không",
    "kh": "không",
    "khg": "không",
    "khôg": "không",
    "kô": "không",
    "hok": "không",
    "hk": "không",
    "hông": "không",
    "hổng": "không",
    "khum": "không",
    # được, với, gì, người, biết
    "dc": "được",
    "đc": "được",
    "vs": "với",
    "j": "gì",
    "ji": "gì",
    "ng": "người",
    "ngừi": "người",
    "mn": "mọi người",
    "mng": "mọi người",
    "bít": "biết",
    "bik": "biết",
    "bjk": "biết",
    "bjt": "biết",
    # giờ: "h" alone ("bây h"); "10h" is handled before
    "h": "giờ",
    "bh": "bây giờ",
    "bjo": "bây giờ",
    # others common in forwarded posts
    "cx": "cũng",
    "cg": "cũng",
    "trc": "trước",
    "ntn": "như thế nào",
    "lm": "làm",
    "ns": "nói",
    "r": "rồi",
    "rùi": "rồi",
    "nhìu": "nhiều",
    "wá": "quá",
    "qá": "quá",
    "thik": "thích",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "đt": "điện thoại",
    "đg": "đường",
    "tp": "thành phố",
    "ubnd": "ủy ban nhân dân",
}
_LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|vn|net|org|info|xyz|me|ly|gl|io|co|app|top|site)\b\S*",
    re.IGNORECASE,
)
_HOURS = re.compile(r"\b(\d{1,2})\s?h(\d{2})?\b", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w\s]|_")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# A text counts as written with diacritics when this share of its words carry any.
ACCENTED_SHARE = 0.2


def _base(ch: str) -> tuple[str, str]:
    """(the letter without its tone, the tone): "ấ" → ("â", acute)."""
    parts = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in parts if c in _TONES)
    return unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)), tone


def squeeze(word: str) -> str:
    """Letters repeated for emphasis, once: a run of three or more of one letter (whatever its
    tone), or of two that differ only in tone ("quáa"), becomes the toned one; two alike stay
    ("xoong")."""
    if len(word) < 3 and not any(ord(c) > 127 for c in word):
        return word
    out: list[str] = []
    run: list[str] = []
    run_base = None

    def flush():
        if not run:
            return
        toned = next((c for c in run if _base(c)[1]), run[0])
        if len(run) >= 3 or (len(run) == 2 and run[0] != run[1]):
            out.append(toned)
        else:
            out.extend(run)

    for ch in word:
        base = _base(ch)[0] if ch.isalpha() else None
        if base is not None and base == run_base:
            run.append(ch)
            continue
        flush()
        run, run_base = ([ch], base) if base is not None else ([], None)
        if base is None:
            out.append(ch)
    flush()
    return "".join(out)


def tone_key(word: str) -> str:
    """The syllable with its tone at the end, wherever it was written on: "hoà", "hòa" →
    "hoa" + grave."""
    parts = unicodedata.normalize("NFD", word)
    tones = "".join(c for c in parts if c in _TONES)
    bare = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
    return bare + tones


def _expand(word: str) -> list[str]:
    lower = word.lower()
    if lower in TEENCODE:
        return TEENCODE[lower].split()
    if lower[:1] == "f" and not lower.isascii():  # "fải" → "phải" (not "facebook")
        return ["ph" + lower[1:]]
    if lower[:1] == "w" and not lower.isascii() and lower[1:2] in "aáàảãạăâeêoôơ":
        return ["qu" + lower[1:]]
    return [lower]


def words_of(text: str) -> list[str]:
    """The words of ``text`` normalised for matching (lowercase, with their diacritics)."""
    text = unicodedata.normalize("NFC", text or "")
    text = _LINK.sub(" ", text)
    text = _HOURS.sub(lambda m: f" {m.group(1)} giờ {m.group(2) or ''} ", text)
    text = _NOT_WORD.sub(" ", text)
    out: list[str] = []
    for raw in text.split():
        out.extend(_expand(squeeze(raw.lower())))
    return out


@lru_cache(maxsize=1)
def _tokenizer():
    from underthesea import word_tokenize  # slow to import: only when first needed

    return word_tokenize


@lru_cache(maxsize=16384)
def segment(text: str) -> tuple[str, ...]:
    """The compound words underthesea finds in ``text`` (normalised words joined by spaces),
    folded, their syllables joined by "_": ("phong_toa", "thanh_pho")."""
    found = []
    for token in _tokenizer()(text):
        parts = fold(token).split()
        if len(parts) > 1:
            found.append("_".join(parts))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Normalised:
    text: str  # as given (for an embedder)
    words: tuple[str, ...]  # syllables with their tone (tone_key)
    folded: tuple[str, ...]  # the same without diacritics
    compounds: tuple[str, ...]  # segmented words of more than one syllable, folded
    accented: bool  # written with diacritics (then segmented)

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(self.folded + self.compounds))

    def __len__(self) -> int:
        return len(self.folded)


def normalise(text: str, *, max_chars: int = 20_000) -> Normalised:
    text = (text or "")[:max_chars]
    words = words_of(text)
    raw = [w for w in _NOT_WORD.sub(" ", _LINK.sub(" ", text)).split() if not w.isdigit()]
    accented = bool(raw) and sum(not w.isascii() for w in raw) >= ACCENTED_SHARE * len(raw)
    folded = tuple(fold(w) for w in words)
    compounds = segment(" ".join(words)) if accented and words else ()
    return Normalised(text, tuple(tone_key(w) for w in words), folded, compounds, accented)


# Stored terms made by another version of `normalise` are prepared again: bump this whenever
# what normalise gives changes (TEENCODE, squeezing, segmentation, underthesea's version).
TERMS_VERSION = 1


def stored_terms(n: Normalised) -> dict:
    """``n`` as stored (JSON) with its text: Report.match_terms, BulletinTerms.terms."""
    return {
        "v": TERMS_VERSION,
        "words": list(n.words),
        "folded": list(n.folded),
        "compounds": list(n.compounds),
        "accented": n.accented,
    }


def from_terms(text: str, terms) -> Normalised | None:
    """The Normalised of ``text`` from its stored terms; None when they are missing or were
    made by another TERMS_VERSION (the text is then prepared again)."""
    if not isinstance(terms, dict) or terms.get("v") != TERMS_VERSION:
        return None
    try:
        return Normalised(
            text,
            tuple(terms["words"]),
            tuple(terms["folded"]),
            tuple(terms["compounds"]),
            bool(terms["accented"]),
        )
    except (KeyError, TypeError):
        return None


def terms_of(text: str) -> dict:
    """The terms to store with a new text (intake: Report.match_terms)."""
    return stored_terms(normalise(text, max_chars=MAX_BULLETIN_CHARS))


def word_count(text: str) -> int:
    """Words (syllables) of ``text`` once links, emoji and punctuation are dropped."""
    return len(words_of(text))


# --- scores ----------------------------------------------------------------------------------
def similarity(a: Normalised, b: Normalised) -> float:
    """Words in common, in order, 0..1 (1: the same text however typed)."""
    if not a.folded or not b.folded:
        return 0.0
    score = Indel.normalized_similarity(a.folded, b.folded)
    if a.accented and b.accented:
        score = (score + Indel.normalized_similarity(a.words, b.words)) / 2
    return score


def pairs(n: Normalised) -> frozenset:
    f = n.folded
    if len(f) < 2:
        return frozenset(f)
    return frozenset(itertools.pairwise(f))


def containment(claim: Normalised, claim_pairs: frozenset, text_pairs: frozenset) -> float:
    """The share of the claim's word pairs ``text`` has (1: the claim is quoted in it)."""
    if not claim_pairs:
        return 0.0
    if len(claim.folded) < 2:
        return 1.0 if claim.folded[0] in {w for p in text_pairs for w in p} else 0.0
    return len(claim_pairs & text_pairs) / len(claim_pairs)


def cosine(u, v) -> float:
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    return max(0.0, float(u @ v) / norm) if norm else 0.0
