"""The pure index of textmatch.py: BM25 (bm25s) candidates over the prepared texts, then each
scored 0..1 (textnorm.py)."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from chinhthong.reports.textnorm import Normalised, containment, cosine, pairs, similarity


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
            out.append(((score + cosine(mine, self._vectors[position])) / 2, position))
        out.sort(reverse=True)
        return out
