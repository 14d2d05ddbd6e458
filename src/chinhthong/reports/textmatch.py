"""Which stored texts say the same as a new one: the claims of earlier reports (their cases) and
the published bulletins (their latest version's title, summary and body).

Normalisation (`normalise`): NFC, lowercase; links, emoji and punctuation dropped; letters
repeated for emphasis squeezed ("quáaaa" → "quá", "khônggg" → "không"; "xoong" stays);
common teencode and abbreviations written out ("ko", "k", "hok", "hông" → "không"; "dc", "đc"
→ "được"; "vs" → "với"; "j" → "gì"; "ng" → "người"; "bít" → "biết"; a lone "h" and "10h" →
"giờ"; TEENCODE below); each syllable kept twice, with its tone (whichever vowel it was
written on: "hoà" = "hòa") and folded without diacritics (verify.text.fold). A text written
with diacritics is also segmented into words by underthesea ("phong_tỏa", "thành_phố"),
imported on first use, each text segmented once (cached).

Ranking: BM25 (bm25s) over the folded syllables and segmented words finds a few dozen
candidates; a text typed without diacritics, which underthesea cannot segment, is given the
indexed words its syllables spell. Each candidate is then scored 0..1 by a measure whose
values mean something, so that the two thresholds (settings.REPORT_JOIN_SCORE,
REPORT_SUGGEST_SCORE) do:
- a case (one of its reports' claims): the share of words the two texts have in common, in
  order (2·LCS / (n + m) over the syllables; rapidfuzz Indel). The same text retyped without
  diacritics, in teencode, with emoji or another link scores 1.0; with a sentence added to
  one half as long, about 0.8; another claim from the same vocabulary, well under 0.5. When
  both texts carry diacritics the mean of the folded and the toned score is used, so that
  words differing only in their marks ("má"/"mà") count a little against;
- a bulletin: the share of the claim's word pairs that the bulletin contains (it quotes or
  rebuts the claim; it is much longer than it).
An embedding model may be plugged in: settings.REPORT_EMBEDDER (CHINHTHONG_REPORT_EMBEDDER), a
dotted path to a callable text → vector; the candidates' score is then the mean of the lexical
score and the cosine of the vectors (so that a paraphrase may be suggested; joining still needs
the words).

The index (`TextIndex`) is pure; `search` keeps one per process over the database, as
bulletins/queries.py does for the forward check: new reports are added to it as they come
(scanned one by one until enough of them make rebuilding the BM25 index worth it); a report
moved to another case needs nothing (cases are looked up at query time); the bulletins' part
follows queries.current_index(). Tests reset it (`reset_index`).

Stored terms: preparing a text (normalising, underthesea above all) costs ~3 ms a claim and ~10
ms a bulletin, minutes for 100,000 of them, so the prepared words are stored with the text
(`stored_terms`): a report's in Report.match_terms, written by intake; a published bulletin
version's in a BulletinTerms row. A process building its index reads them instead of preparing
the texts again; a text without them (stored before, or under another TERMS_VERSION) is
prepared then and its terms written back once the transaction commits, so each installation
pays once. `prepare_missing` (`chinhthong reports prepare-matching`) does it ahead of time.
"""

import gc
import itertools
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache, partial

import numpy as np
from rapidfuzz.distance import Indel

from chinhthong.verify.text import fold

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


def _cosine(u, v) -> float:
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    return max(0.0, float(u @ v) / norm) if norm else 0.0


# --- the index -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Hit:
    kind: str  # "case", "bulletin" (a TextIndex: the kind it was given)
    id: int  # a TextIndex: the key it was given (a report's); search(): the case's
    score: float


@dataclass
class TextIndex:
    """BM25 over the texts' terms, then the precise score of the best candidates.

    ``contain``: score a candidate by how much of the query it contains (bulletins), not by
    similarity (claims)."""

    kind: str
    contain: bool = False
    embedder: Callable | None = None
    candidates: int = 50
    rebuild_after: int = 500
    keys: list[int] = field(default_factory=list)
    texts: list[Normalised] = field(default_factory=list)
    _pairs: dict = field(default_factory=dict)
    _vectors: dict = field(default_factory=dict)
    # (BM25 index, its vocabulary, n): texts[:n] are in it, the rest are scanned. One value,
    # replaced whole, so that a search running while another thread adds sees one state.
    _core: tuple = (None, {}, 0)

    def __post_init__(self):
        self._rebuild()

    @classmethod
    def of(cls, kind: str, items: Iterable[tuple[int, Normalised]], **options) -> "TextIndex":
        keys, texts = [], []
        for key, text in items:
            keys.append(key)
            texts.append(text)
        return cls(kind, keys=keys, texts=texts, **options)

    def __len__(self) -> int:
        return len(self.keys)

    def _rebuild(self) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG: one line per index built, in the site's log.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        size = len(self.texts)
        if not size:
            self._core = (None, {}, 0)
            return
        retriever = bm25s.BM25()
        retriever.index([t.terms for t in self.texts[:size]], show_progress=False)
        self._core = (retriever, retriever.vocab_dict, size)

    def add(self, items: Iterable[tuple[int, Normalised]]) -> None:
        for key, text in items:
            self.keys.append(key)
            self.texts.append(text)
        if len(self.texts) - self._core[2] > self.rebuild_after:
            self._rebuild()

    @staticmethod
    def _query_terms(query: Normalised, vocab: dict) -> list[str]:
        terms = query.terms
        if not query.accented:  # not segmented: the indexed words its syllables spell
            f = query.folded
            for size in (2, 3):
                for start in range(len(f) - size + 1):
                    joined = "_".join(f[start : start + size])
                    if joined in vocab:
                        terms.append(joined)
        return terms

    def _candidates(self, query: Normalised) -> list[int]:
        bm25, vocab, built = self._core
        tail = min(len(self.keys), len(self.texts))  # another thread may be adding
        found: list[int] = list(range(built, tail))  # the tail: all of it
        if bm25 is None:
            return found
        ids = [vocab[t] for t in self._query_terms(query, vocab) if t in vocab]
        if not ids:
            return found
        scores = bm25.get_scores(ids)
        k = min(self.candidates, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        return [int(i) for i in top if scores[i] > 0] + found

    def _score(self, query: Normalised, query_pairs, position: int) -> float:
        text = self.texts[position]
        if not self.contain:
            return similarity(query, text)
        key = self.keys[position]
        if key not in self._pairs:
            self._pairs[key] = pairs(text)
        return containment(query, query_pairs, self._pairs[key])

    def search(self, query: Normalised, *, limit: int = 10, floor: float = 0.0) -> list[Hit]:
        """The texts closest to ``query``, best first, each key once (its best text)."""
        if not query.folded:
            return []
        query_pairs = pairs(query) if self.contain else None
        scored = [(self._score(query, query_pairs, p), p) for p in self._candidates(query)]
        scored.sort(reverse=True)
        if self.embedder is not None:
            scored = self._reranked(query, scored[: max(limit * 2, 20)])
        best: dict[int, float] = {}
        for score, position in scored:
            key = self.keys[position]
            if score >= floor and score > best.get(key, -1.0):
                best[key] = score
        hits = [Hit(self.kind, key, round(score, 4)) for key, score in best.items()]
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:limit]

    def _reranked(self, query: Normalised, scored: list) -> list:
        mine = self.embedder(query.text)
        out = []
        for score, position in scored:
            if position not in self._vectors:
                self._vectors[position] = self.embedder(self.texts[position].text)
            out.append(((score + _cosine(mine, self._vectors[position])) / 2, position))
        out.sort(reverse=True)
        return out


# --- the process's index over the database ---------------------------------------------------
_lock = threading.Lock()
_state: dict = {}
_normalised: dict = {}  # (kind, key, version) → Normalised, kept across rebuilds
MAX_BULLETIN_CHARS = 20_000
STORE_BATCH = 500  # rows written back in one transaction
log = logging.getLogger(__name__)


def reset_index() -> None:
    with _lock:
        _state.clear()
        _normalised.clear()


def embedder() -> Callable | None:
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = getattr(settings, "REPORT_EMBEDDER", "") or ""
    return import_string(path) if path else None


@contextmanager
def _collector_paused():
    """Building an index allocates millions of small objects and no cycles: the cyclic
    collector's passes over them took a third of the build (90,000 reports: 4.3 → 2.6 s)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class _Unstored:
    """Texts an index build had to prepare (no stored terms): written back after it."""

    reports: list = field(default_factory=list)  # (report id, terms)
    bulletins: list = field(default_factory=list)  # ((bulletin id, version number), terms)

    def __bool__(self) -> bool:
        return bool(self.reports or self.bulletins)


def _log_build(kind: str, size: int, took: float, prepared: int) -> None:
    log.log(
        logging.INFO if prepared or took >= 1 else logging.DEBUG,
        "matching: %s %s indexed in %.1f s (%s prepared, the others from stored terms)",
        size,
        kind,
        took,
        prepared,
    )


def _prepared(cache_key: tuple, text: str, terms, unstored: list, store_key) -> Normalised:
    """The text normalised: from this process's cache, else from its stored terms, else
    prepared now (and noted in ``unstored`` under ``store_key``)."""
    found = _normalised.get(cache_key)
    if found is None:
        found = from_terms(text, terms)
        if found is None:
            found = normalise(text, max_chars=MAX_BULLETIN_CHARS)
            unstored.append((store_key, stored_terms(found)))
        _normalised[cache_key] = found
    return found


def _report_index(plug, unstored: _Unstored) -> TextIndex:
    from django.db.models import Count, Max

    from chinhthong.reports.models import Report

    now = Report.objects.aggregate(last=Max("pk"), count=Count("pk"))
    last, count = now["last"] or 0, now["count"]
    index = _state.get("reports")
    if index is not None and _state.get("plug") is plug:
        known_last, known_count = _state["reports_key"]
        if (last, count) == (known_last, known_count):
            return index
        newer = list(
            Report.objects.filter(pk__gt=known_last)
            .order_by("pk")
            .values_list("pk", "claim", "match_terms")
        )
        if last >= known_last and known_count + len(newer) == count:
            index.add(
                (pk, _prepared(("report", pk, 0), claim, terms, unstored.reports, pk))
                for pk, claim, terms in newer
            )
            _state["reports_key"] = (last, count)
            return index
    started, before = time.perf_counter(), len(unstored.reports)
    rows = (
        Report.objects.order_by("pk")
        .values_list("pk", "claim", "match_terms")
        .iterator(chunk_size=2000)
    )
    index = TextIndex.of(
        "case",
        (
            (pk, _prepared(("report", pk, 0), claim, terms, unstored.reports, pk))
            for pk, claim, terms in rows
        ),
        embedder=plug,
    )
    _log_build("reports", len(index), time.perf_counter() - started, len(unstored.reports) - before)
    _state.update(reports=index, reports_key=(last, count), plug=plug)
    return index


def _stored_bulletin_terms(wanted: list) -> dict:
    """(bulletin id, version number) → the stored terms of these versions (VersionTexts)."""
    from chinhthong.reports.models import BulletinTerms

    if not wanted:
        return {}
    rows = BulletinTerms.objects.values_list("version__bulletin_id", "version__number", "terms")
    if len(wanted) <= STORE_BATCH:  # a few new ones: not every bulletin's
        rows = rows.filter(version__bulletin_id__in={v.bulletin_id for v in wanted})
    return {(bulletin, number): terms for bulletin, number, terms in rows.iterator(chunk_size=500)}


def _bulletin_index(plug, unstored: _Unstored) -> TextIndex:
    from chinhthong.bulletins import queries

    source = queries.current_index()
    index = _state.get("bulletins")
    if index is not None and _state.get("bulletins_from") is source and _state["plug"] is plug:
        return index
    started, before = time.perf_counter(), len(unstored.bulletins)
    latest = [(bulletin, versions[-1]) for bulletin, versions in source.forwards.versions.items()]
    stored = _stored_bulletin_terms(
        [v for b, v in latest if ("bulletin", b, v.number) not in _normalised]
    )
    items = []
    for bulletin_id, version in latest:
        key = (bulletin_id, version.number)
        terms = stored.get(key)
        items.append(
            (
                bulletin_id,
                _prepared(("bulletin", *key), version.text, terms, unstored.bulletins, key),
            )
        )
    index = TextIndex.of("bulletin", items, contain=True, embedder=plug)
    took = time.perf_counter() - started
    _log_build("bulletins", len(index), took, len(unstored.bulletins) - before)
    _state.update(bulletins=index, bulletins_from=source, plug=plug)
    return index


# --- stored terms: written back, prepared ahead of time ----------------------------------------
def _chunks(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _store_reports(rows: Sequence[tuple[int, dict]]) -> None:
    """Report.match_terms of these reports: one UPDATE a row, sent together (executemany; 18
    times faster than bulk_update's CASE on SQLite). Only this column is written."""
    from django.db import connection, transaction

    from chinhthong.reports.models import Report

    field = Report._meta.get_field("match_terms")
    quote = connection.ops.quote_name
    table, key = quote(Report._meta.db_table), quote(Report._meta.pk.column)  # names, not data
    sql = f"UPDATE {table} SET {quote(field.column)} = %s WHERE {key} = %s"  # noqa: S608
    for chunk in _chunks(rows, STORE_BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                sql, [(field.get_db_prep_save(terms, connection), pk) for pk, terms in chunk]
            )


def _store_versions(rows: Sequence[tuple[int, dict]]) -> None:
    """BulletinTerms of these versions (their ids), replacing any of another TERMS_VERSION."""
    from chinhthong.reports.models import BulletinTerms

    for chunk in _chunks(rows, STORE_BATCH):
        BulletinTerms.objects.bulk_create(
            [BulletinTerms(version_id=pk, terms=terms) for pk, terms in chunk],
            update_conflicts=True,
            unique_fields=["version"],
            update_fields=["terms"],
        )


def _store(unstored: _Unstored) -> None:
    """Write the terms an index build prepared (once the transaction it ran in commits)."""
    from chinhthong.bulletins.models import BulletinVersion

    _store_reports(unstored.reports)
    for chunk in _chunks(unstored.bulletins, STORE_BATCH):
        wanted = dict(chunk)
        versions = BulletinVersion.objects.filter(
            bulletin_id__in={bulletin for bulletin, _number in wanted}
        ).values_list("pk", "bulletin_id", "number")
        _store_versions([(pk, wanted[(b, n)]) for pk, b, n in versions if (b, n) in wanted])
    log.info(
        "matching: terms stored for %s reports and %s bulletins",
        len(unstored.reports),
        len(unstored.bulletins),
    )


def missing_terms() -> tuple[list[int], list[int]]:
    """The ids of the reports, and of the bulletin versions the index uses (each published
    bulletin's latest public one), without terms of this TERMS_VERSION stored."""
    from chinhthong.bulletins.queries import public_versions
    from chinhthong.reports.models import BulletinTerms, Report

    reports = [
        pk
        for pk, version in Report.objects.order_by("pk")
        .values_list("pk", "match_terms__v")
        .iterator(chunk_size=5000)
        if version != TERMS_VERSION
    ]
    latest: dict[int, int] = {}
    versions = public_versions().order_by("bulletin_id", "number").values_list("pk", "bulletin_id")
    for pk, bulletin_id in versions.iterator(chunk_size=5000):
        latest[bulletin_id] = pk
    done = set(
        BulletinTerms.objects.filter(terms__v=TERMS_VERSION).values_list("version_id", flat=True)
    )
    return reports, [pk for pk in latest.values() if pk not in done]


def prepare_reports(ids: Sequence[int]) -> None:
    """Prepare and store the terms of these reports."""
    from chinhthong.reports.models import Report

    rows = Report.objects.filter(pk__in=ids).values_list("pk", "claim")
    _store_reports([(pk, terms_of(claim)) for pk, claim in rows])


def prepare_versions(ids: Sequence[int]) -> None:
    """Prepare and store the terms of these bulletin versions (the text the index reads)."""
    from chinhthong.bulletins.forwards import version_text
    from chinhthong.bulletins.models import BulletinVersion

    rows = BulletinVersion.objects.filter(pk__in=ids).values_list(
        "pk", "title", "summary", "body_html"
    )
    _store_versions(
        [(pk, terms_of(version_text(title, summary, body))) for pk, title, summary, body in rows]
    )


def search(
    text: str | Sequence[str],
    *,
    kinds: Sequence[str] = ("case", "bulletin"),
    limit: int = 10,
    floor: float = 0.0,
    exclude_case: int | None = None,
) -> list[Hit]:
    """Cases and published bulletins that say what ``text`` says (one text, or several whose
    best scores count: a case's claims), best first: Hit(kind, case or bulletin id, 0..1)."""
    from django.db import transaction

    from chinhthong.reports.models import Report

    texts = [text] if isinstance(text, str) else list(text)
    queries = [normalise(t) for t in texts if t]
    plug = embedder()
    best: dict[tuple[str, int], float] = {}
    unstored = _Unstored()
    with _lock, _collector_paused():
        if _state.get("plug") is not plug:
            _state.clear()
        reports = _report_index(plug, unstored) if "case" in kinds else None
        bulletins = _bulletin_index(plug, unstored) if "bulletin" in kinds else None
    if unstored:  # after the transaction this runs in (an intake's): not holding its rows
        transaction.on_commit(partial(_store, unstored), robust=True)
    for query in queries:
        if reports is not None:
            found = reports.search(query, limit=max(limit * 4, 40), floor=floor)
            cases = dict(
                Report.objects.filter(pk__in=[h.id for h in found]).values_list("pk", "case_id")
            )
            for hit in found:
                case = cases.get(hit.id)
                if case is not None and case != exclude_case:
                    key = ("case", case)
                    best[key] = max(best.get(key, 0.0), hit.score)
        if bulletins is not None:
            for hit in bulletins.search(query, limit=limit, floor=floor):
                key = ("bulletin", hit.id)
                best[key] = max(best.get(key, 0.0), hit.score)
    hits = [Hit(kind, key, score) for (kind, key), score in best.items()]
    hits.sort(key=lambda h: (-h.score, h.kind, h.id))
    return hits[:limit]
