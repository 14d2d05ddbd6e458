"""Where did a forwarded text come from? A text pasted into "Có phải bản tin thật?" is looked up
among the published versions of every bulletin, retyped or not (words compared lowercase and
without diacritics), and compared word by word with the version it came from: what was
altered, added and cut, words typed with other diacritics, emoji added, links swapped.

Pure functions over an in-process index (no database here; bulletins/queries.py builds the
index from the published versions and runs the links through the verifier).

Candidate search: every bulletin's pairs of consecutive words ("shingles", normal forms) are
hashed into one sorted array of (hash << 32 | bulletin) integers; a forward's shingles are
looked up by bisection and the bulletins sharing most of them are compared in full with
difflib (bench/forward_check.py measures it against comparing with every bulletin).
"""

import bisect
import datetime as dt
import difflib
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chinhthong.bulletins import diffs
from chinhthong.bulletins.diffs import Token

MAX_FORWARD_CHARS = 20_000
MIN_WORDS = 6  # fewer words in common than this is no match
FORWARD_SHARE = 0.5  # ... or at least this share of the forward's words come from it
SOURCE_SHARE = 0.6  # ... or the forward carries this share of the bulletin's words
CANDIDATES = 5  # bulletins compared in full
MIN_RUN = 3  # fewer words in a row in common are a coincidence, not the bulletin's text
COMMON_SHINGLE = 0.2  # a shingle in more than this share of bulletins says nothing
CONTEXT_WORDS = 4
SHOWN_CUT_WORDS = 40
_PUNCTUATION = re.compile(r"[^\w\s]|_")


@dataclass(frozen=True)
class VersionText:
    """One published version of a bulletin as a reader sees it (title, summary, body)."""

    bulletin_id: int
    slug: str
    number: int
    title: str
    text: str
    published_at: dt.datetime | None = None
    link_keys: frozenset = frozenset()  # the bulletin's own links (page, body, sources)


def version_text(title: str, summary: str, body_html: str) -> str:
    return "\n\n".join(p for p in (title, summary, diffs.plain_text(body_html)) if p)


def norms(text: str) -> list[str]:
    """The words of ``text`` as the candidate search compares them: lowercase, without
    diacritics or punctuation (a link is one word, "quangninhgovvnthongbao": a swapped link
    differs from the real one here only where its letters do), emoji left out. Two passes of
    C over the whole text, for the index's thousands of versions."""
    return _PUNCTUATION.sub("", diffs.fold_text(text)).split()


def shingles(forms: Sequence[str]) -> set[int]:
    """32-bit hashes of each pair of consecutive words (of the one word, for a text of one)."""
    if len(forms) == 1:
        return {hash(forms[0]) & 0xFFFFFFFF}
    return {hash((forms[i], forms[i + 1])) & 0xFFFFFFFF for i in range(len(forms) - 1)}


def _shingles_of(versions: Iterable[VersionText]) -> set[int]:
    found: set[int] = set()
    for version in versions:
        found |= shingles(norms(version.text))
    return found


class ForwardIndex:
    """The published versions, grouped by bulletin, with their shingles in one sorted array."""

    def __init__(self, versions: Iterable[VersionText]):
        self.versions: dict[int, list[VersionText]] = {}
        for version in versions:
            self.versions.setdefault(version.bulletin_id, []).append(version)
        for found in self.versions.values():
            found.sort(key=lambda v: v.number)
        self.bulletins = list(self.versions)
        self.positions = {bulletin: n for n, bulletin in enumerate(self.bulletins)}
        postings: list[int] = []
        for position, bulletin in enumerate(self.bulletins):
            hashes = _shingles_of(self.versions[bulletin])
            postings.extend((h << 32) | position for h in hashes)
        postings.sort()
        self.postings = array("Q", postings)

    def with_bulletins(self, versions: Iterable[VersionText]) -> "ForwardIndex":
        """A new index where these bulletins have these versions (all of their published
        ones: a publication, a correction); only their new shingles are merged into a copy of
        the array (timsort merges the two sorted runs in one pass). This index stays as it
        is for the requests still using it."""
        grouped: dict[int, list[VersionText]] = {}
        for version in versions:
            grouped.setdefault(version.bulletin_id, []).append(version)
        new = ForwardIndex(())
        new.versions, new.bulletins = dict(self.versions), list(self.bulletins)
        new.positions = dict(self.positions)
        fresh: list[int] = []
        for bulletin, found in grouped.items():
            had = _shingles_of(new.versions.get(bulletin, ()))
            if bulletin not in new.positions:
                new.positions[bulletin] = len(new.bulletins)
                new.bulletins.append(bulletin)
            position = new.positions[bulletin]
            fresh.extend((h << 32) | position for h in _shingles_of(found) - had)
            new.versions[bulletin] = sorted(found, key=lambda v: v.number)
        merged = self.postings.tolist()
        merged.extend(sorted(fresh))
        merged.sort()
        new.postings = array("Q", merged)
        return new

    def __len__(self) -> int:
        return len(self.bulletins)

    def candidates(self, forms: Sequence[str], limit: int = CANDIDATES) -> list[int]:
        """The bulletins sharing most shingles with ``forms``, best first (ids)."""
        if not forms or not self.bulletins:
            return []
        common = max(20, int(len(self.bulletins) * COMMON_SHINGLE))
        scores: Counter = Counter()
        for h in shingles(forms):
            low = bisect.bisect_left(self.postings, h << 32)
            high = bisect.bisect_left(self.postings, (h + 1) << 32, low)
            if 0 < high - low <= common:
                scores.update(p & 0xFFFFFFFF for p in self.postings[low:high])
        return [self.bulletins[position] for position, _n in scores.most_common(limit)]


@dataclass(frozen=True)
class Change:
    """One difference, in the bulletin's words and the forward's: "altered", "added", "cut",
    "cut_start" / "cut_end" (the forward leaves out the bulletin's beginning or end: ``count``
    words), "diacritics" (a word retyped with other diacritics)."""

    kind: str
    original: str = ""
    forward: str = ""
    before: str = ""
    after: str = ""
    count: int = 0

    @property
    def located(self) -> bool:
        """Whether the words around it in the bulletin say where it is (a cut beginning or
        end says so itself)."""
        return self.kind not in ("cut_start", "cut_end") and bool(self.before or self.after)


@dataclass
class Match:
    source: VersionText
    latest: VersionText
    matched_words: int
    forward_words: int
    source_words: int
    changes: list[Change] = field(default_factory=list)
    diacritics_dropped: int = 0  # words typed without their diacritics
    symbols_added: list[str] = field(default_factory=list)
    new_links: list[str] = field(default_factory=list)  # links the bulletin does not have

    @property
    def forward_share(self) -> int:
        """Percent of the forward's words that are the bulletin's."""
        return round(100 * self.matched_words / max(1, self.forward_words))

    @property
    def source_share(self) -> int:
        """Percent of the bulletin's words the forward carries."""
        return round(100 * self.matched_words / max(1, self.source_words))

    @property
    def identical(self) -> bool:
        return not self.changes and not self.symbols_added and not self.new_links

    @property
    def unaltered(self) -> bool:
        """The bulletin's words, or an excerpt of them: nothing altered, added or cut from the
        middle (diacritics left off are not a change of words)."""
        return (
            all(c.kind in ("cut_start", "cut_end") for c in self.changes)
            and not self.symbols_added
            and not self.new_links
        )

    @property
    def outdated(self) -> bool:
        return self.source.number != self.latest.number

    def of_kind(self, *kinds: str) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]


@dataclass
class Analysis:
    words: int
    match: Match | None
    links: list[str]  # every link in the forward, as written, each once

    @property
    def too_short(self) -> bool:
        return self.words < MIN_WORDS


def analyse(text: str, index: ForwardIndex) -> Analysis:
    forward = diffs.tokens(text[:MAX_FORWARD_CHARS])
    forward_words = diffs.words(forward)
    links = list(dict.fromkeys(_strip(t.text) for t in forward_words if t.is_link))
    analysis = Analysis(words=len(forward_words), match=None, links=links)
    if analysis.too_short:
        return analysis
    best = None
    for bulletin in index.candidates(norms(text[:MAX_FORWARD_CHARS])):
        for version in index.versions[bulletin]:
            found = _compare(forward, forward_words, version, index.versions[bulletin][-1])
            if best is None or (found.matched_words, found.source.number) > (
                best.matched_words,
                best.source.number,
            ):
                best = found
    if best is not None and _is_match(best):
        analysis.match = best
    return analysis


def _is_match(found: Match) -> bool:
    return found.matched_words >= MIN_WORDS and (
        found.matched_words >= FORWARD_SHARE * found.forward_words
        or found.matched_words >= SOURCE_SHARE * found.source_words
    )


def _strip(link: str) -> str:
    return link.strip(diffs._LEADING).rstrip(diffs._TRAILING)


def _compare(
    forward: list[Token], forward_words: list[Token], version: VersionText, latest: VersionText
) -> Match:
    source_tokens = diffs.tokens(version.text)
    source = diffs.words(source_tokens)
    codes = diffs.anchored_opcodes(source, forward_words, lambda t: t.norm, MIN_RUN)
    matched = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in codes if tag == "equal")
    found = Match(version, latest, matched, len(forward_words), len(source))
    if matched < MIN_WORDS:
        return found
    last = len(codes) - 1
    for n, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            _diacritics(found, source[i1:i2], forward_words[j1:j2])
            continue
        where = "start" if n == 0 else "end" if n == last else "middle"
        found.changes += _region(source, forward_words, (i1, i2, j1, j2), where)
    found.symbols_added = _symbols(forward, source_tokens)
    known = version.link_keys | {t.norm for t in source if t.is_link}
    found.new_links = list(
        dict.fromkeys(
            _strip(t.text) for t in forward_words if t.is_link and _unshared(t.norm) not in known
        )
    )
    return found


def _unshared(key: str) -> str:
    """A link's key without a staff member's share code ("…/ban-tin/<slug>/?s=…" is the
    bulletin's own page, shared)."""
    path, sep, query = key.partition("?")
    if sep and query.startswith("s=") and "&" not in query and "/ban-tin/" in path:
        return path.rstrip("/")
    return key


def _diacritics(found: Match, source: Sequence[Token], forward: Sequence[Token]) -> None:
    for original, retyped in zip(source, forward, strict=True):
        if original.is_link or original.core == retyped.core:
            continue
        if retyped.core.isascii():
            found.diacritics_dropped += 1
        else:
            found.changes.append(Change("diacritics", original.text, retyped.text))


def _region(source, forward, span, where: str) -> list[Change]:
    """The changes in one stretch where the forward and the bulletin differ. A link for a
    link is said as such, apart from the words around it; at the forward's start or end, words
    put in place of a much longer (or shorter) stretch of the bulletin are an addition beside
    the bulletin's beginning or end left out, not an alteration of it."""
    i1, i2, j1, j2 = span
    old, new = source[i1:i2], forward[j1:j2]
    link_old = next((k for k, t in enumerate(old) if t.is_link), None)
    link_new = next((k for k, t in enumerate(new) if t.is_link), None)
    if link_old is not None and link_new is not None and (len(old), len(new)) != (1, 1):
        before = (i1, i1 + link_old, j1, j1 + link_new)
        after = (i1 + link_old + 1, i2, j1 + link_new + 1, j2)
        pair = (i1 + link_old, i1 + link_old + 1, j1 + link_new, j1 + link_new + 1)
        return [
            *_region(source, forward, before, "start" if where == "start" else "middle"),
            *_region(source, forward, pair, "middle"),
            *_region(source, forward, after, "end" if where == "end" else "middle"),
        ]
    if not old and not new:
        return []
    context = {
        "before": diffs.join(source[max(0, i1 - CONTEXT_WORDS) : i1]),
        "after": diffs.join(source[i2 : i2 + CONTEXT_WORDS]),
    }
    if not old:
        return [Change("added", forward=diffs.join(new), **context)]
    if not new:
        return [_cut(old, "cut_" + where if where != "middle" else "cut", context)]
    if where == "middle" or _comparable(len(old), len(new)):
        return [Change("altered", diffs.join(old), diffs.join(new), **context)]
    # At the start, the forward's words stand in place of the last words before the match;
    # at the end, of the first ones after it. Like words are an alteration; the rest of the
    # bulletin's stretch was left out.
    k = len(new)
    beside, rest = (old[-k:], old[:-k]) if where == "start" else (old[:k], old[k:])
    span = (i1 + len(rest), i2, j1, j2) if where == "start" else (i1, i1 + k, j1, j2)
    if len(beside) == k and _alike(beside, new):
        paired = _region(source, forward, span, "middle")
        left = _cut(rest, "cut_" + where, context)
        return [left, *paired] if where == "start" else [*paired, left]
    left = _cut(old, "cut_" + where, context)
    added = Change("added", forward=diffs.join(new))
    return [added, left] if where == "start" else [left, added]


def _alike(old: Sequence[Token], new: Sequence[Token]) -> bool:
    """Words that look like a retyping of one another (a digit added, a word changed)."""
    a, b = " ".join(t.norm for t in old), " ".join(t.norm for t in new)
    return difflib.SequenceMatcher(None, a, b, False).ratio() >= 0.6


def _comparable(a: int, b: int) -> bool:
    return a <= 2 * b + 2 and b <= 2 * a + 2


def _cut(old, kind: str, context: dict) -> Change:
    shown = diffs.join(old[:SHOWN_CUT_WORDS]) + (" …" if len(old) > SHOWN_CUT_WORDS else "")
    return Change(kind, shown, count=len(old), **context)


def _symbols(forward: Sequence[Token], source: Sequence[Token]) -> list[str]:
    """Emoji and pictographs in the forward that the bulletin's text does not have."""
    had = {ch for t in source for ch in t.text if diffs.is_symbol(ch)}
    added = [ch for t in forward for ch in t.text if diffs.is_symbol(ch) and ch not in had]
    return list(dict.fromkeys(added))
