"""Where did a forwarded text come from? A text pasted into "Có phải bản tin thật?" is looked up
among the published versions of every bulletin, retyped or not (words compared lowercase and
without diacritics), and compared word by word with the version it came from: what was
altered, added and cut, words typed with other diacritics, emoji added, links swapped.

Pure functions over an in-process index (no database here; bulletins/queries.py builds the
index from the published versions and runs the links through the verifier).

Candidate search: every bulletin's pairs of consecutive words ("shingles", normal forms) are
hashed into one sorted array of (hash << 32 | bulletin) integers; a forward's shingles are
looked up by bisection and the bulletins sharing most of them are compared in full
(bench/forward_check.py measures it against comparing with every bulletin).

Anyone may paste anything here, so the work of one check is bounded whatever the text (up to
MAX_FORWARD_CHARS): the candidate search counts at most CANDIDATE_POSTINGS postings, the
rarest shingles first; at most SOURCE_CHARS of versions are compared (each candidate's latest
version first); the alignment is exact within EXACT_STEPS steps for the whole check and coarse
past them (bulletins/alignment.py); a stretch is compared letter by letter on at most
ALIKE_WORDS words and ALIKE_CHARS letters. An answer made in a shortened way says so.
"""

import bisect
import datetime as dt
import difflib
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chinhthong.bulletins import alignment, diffs
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
# The bounds of one check's work (bench/forward_check.py, "worst case").
CANDIDATE_POSTINGS = 50_000  # postings counted in the candidate search
SOURCE_CHARS = 250_000  # text of the versions compared (the first one always is)
CONTENDER = 0.5  # a candidate sharing this share of the best one's shingles could be the source
EXACT_STEPS = 150_000  # steps of exact alignment, for all the versions compared
ALIKE_WORDS = 30  # words of a stretch compared letter by letter, nearest the match
ALIKE_CHARS = 240  # ... and at most this many letters of them
SHOWN_CHANGES = 60  # changes listed on the page (the rest are counted)
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

    def candidates(
        self, forms: Sequence[str], limit: int = CANDIDATES, work: alignment.Work | None = None
    ) -> list[tuple[int, int]]:
        """The bulletins sharing most shingles with ``forms``, best first, with the number of
        shingles shared. The rarest shingles are counted first, at most CANDIDATE_POSTINGS
        postings in all."""
        if not forms or not self.bulletins:
            return []
        common = max(20, int(len(self.bulletins) * COMMON_SHINGLE))
        spans = []
        for h in shingles(forms):
            low = bisect.bisect_left(self.postings, h << 32)
            high = bisect.bisect_left(self.postings, (h + 1) << 32, low)
            if 0 < high - low <= common:
                spans.append((high - low, low))
        spans.sort()
        scores: Counter = Counter()
        counted = 0
        for size, low in spans:
            counted += size
            if counted > CANDIDATE_POSTINGS:
                break
            scores.update(p & 0xFFFFFFFF for p in self.postings[low : low + size])
        if work is not None:
            work.words += len(forms)
            work.postings += min(counted, CANDIDATE_POSTINGS)
        return [(self.bulletins[position], n) for position, n in scores.most_common(limit)]


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
    shortened: bool = False  # aligned the coarse way (alignment.py): past the exact budget

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

    @property
    def shown_changes(self) -> list[Change]:
        return self.changes[:SHOWN_CHANGES]

    @property
    def more_changes(self) -> int:
        """Changes beyond the SHOWN_CHANGES listed."""
        return max(0, len(self.changes) - SHOWN_CHANGES)

    def of_kind(self, *kinds: str) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]


@dataclass
class Analysis:
    words: int
    match: Match | None
    links: list[str]  # every link in the forward, as written, each once
    shortened: bool = False  # a version left out or compared the coarse way, for the bounds
    work: alignment.Work | None = None  # the steps it took

    @property
    def too_short(self) -> bool:
        return self.words < MIN_WORDS


def analyse(text: str, index: ForwardIndex) -> Analysis:
    text = text[:MAX_FORWARD_CHARS]
    forward = diffs.tokens(text)
    forward_words = diffs.words(forward)
    links = list(dict.fromkeys(_strip(t.text) for t in forward_words if t.is_link))
    work = alignment.Work(EXACT_STEPS, words=len(forward))
    analysis = Analysis(words=len(forward_words), match=None, links=links, work=work)
    if analysis.too_short:
        return analysis
    compared, analysis.shortened = _to_compare(index, index.candidates(norms(text), work=work))
    best = None
    for version, latest in compared:
        found = _compare(text, forward, forward_words, version, latest, work)
        analysis.shortened |= found.shortened
        if best is None or (found.matched_words, found.source.number) > (
            best.matched_words,
            best.source.number,
        ):
            best = found
    if best is not None and _is_match(best):
        analysis.match = best
    return analysis


def _to_compare(
    index: ForwardIndex, scored: list[tuple[int, int]]
) -> tuple[list[tuple[VersionText, VersionText]], bool]:
    """The versions of the candidates to compare, each with its bulletin's latest: the latest
    of each candidate first (best first), then the ones before, within SOURCE_CHARS of text.
    Whether a version of a contender (a candidate sharing at least CONTENDER of the best one's
    shingles) was left out."""
    chosen: list[tuple[VersionText, VersionText]] = []
    read, left_out = 0, False
    rounds = max((len(index.versions[b]) for b, _n in scored), default=0)
    for back in range(1, rounds + 1):
        for bulletin, shared in scored:
            versions = index.versions[bulletin]
            if back > len(versions):
                continue
            version = versions[-back]
            if chosen and read + len(version.text) > SOURCE_CHARS:
                left_out |= shared >= CONTENDER * scored[0][1]
                continue
            read += len(version.text)
            chosen.append((version, versions[-1]))
    return chosen, left_out


def _is_match(found: Match) -> bool:
    return found.matched_words >= MIN_WORDS and (
        found.matched_words >= FORWARD_SHARE * found.forward_words
        or found.matched_words >= SOURCE_SHARE * found.source_words
    )


def _strip(link: str) -> str:
    return link.strip(diffs._LEADING).rstrip(diffs._TRAILING)


def _compare(
    text: str,
    forward: list[Token],
    forward_words: list[Token],
    version: VersionText,
    latest: VersionText,
    work: alignment.Work,
) -> Match:
    source_tokens = diffs.tokens(version.text)
    source = diffs.words(source_tokens)
    work.versions += 1
    work.words += len(source_tokens)
    work.text += len(version.text)
    codes, coarse = alignment.opcodes(
        [t.norm for t in source], [t.norm for t in forward_words], MIN_RUN, work
    )
    matched = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in codes if tag == "equal")
    found = Match(version, latest, matched, len(forward_words), len(source), shortened=coarse)
    if matched < MIN_WORDS:
        return found
    last = len(codes) - 1
    for n, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            _diacritics(found, source[i1:i2], forward_words[j1:j2])
            continue
        where = "start" if n == 0 else "end" if n == last else "middle"
        found.changes += _region(source, forward_words, (i1, i2, j1, j2), where, work)
    found.symbols_added = _symbols(text, version.text)
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


def _region(source, forward, span, where: str, work: alignment.Work) -> list[Change]:
    """The changes in one stretch where the forward and the bulletin differ. A link for a
    link is said as such, apart from the words around it; at the forward's start or end, words
    put in place of a much longer (or shorter) stretch of the bulletin are an addition beside
    the bulletin's beginning or end left out, not an alteration of it."""
    i1, i2, j1, j2 = span
    links_old = [i for i in range(i1, i2) if source[i].is_link]
    links_new = [j for j in range(j1, j2) if forward[j].is_link]
    found: list[Change] = []
    # The n-th link of the bulletin's stretch for the n-th of the forward's, the words before
    # each apart, until a link stands alone for a link.
    for link_old, link_new in zip(links_old, links_new, strict=False):
        if (i2 - i1, j2 - j1) == (1, 1):
            break
        before = "start" if where == "start" else "middle"
        found += _stretch(source, forward, (i1, link_old, j1, link_new), before, work)
        pair = (link_old, link_old + 1, link_new, link_new + 1)
        found += _stretch(source, forward, pair, "middle", work)
        i1, j1 = link_old + 1, link_new + 1
        if where != "end":
            where = "middle"
    return found + _stretch(source, forward, (i1, i2, j1, j2), where, work)


def _stretch(source, forward, span, where: str, work: alignment.Work) -> list[Change]:
    i1, i2, j1, j2 = span
    old, new = source[i1:i2], forward[j1:j2]
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
    if len(beside) == k and _alike(beside, new, where, work):
        paired = _stretch(source, forward, span, "middle", work)
        left = _cut(rest, "cut_" + where, context)
        return [left, *paired] if where == "start" else [*paired, left]
    left = _cut(old, "cut_" + where, context)
    added = Change("added", forward=diffs.join(new))
    return [added, left] if where == "start" else [left, added]


def _alike(old: Sequence[Token], new: Sequence[Token], where: str, work: alignment.Work) -> bool:
    """Words that look like a retyping of one another (a digit added, a word changed), letter
    by letter on the ALIKE_WORDS words nearest the match (at most ALIKE_CHARS letters)."""
    if where == "start":
        a = " ".join(t.norm for t in old[-ALIKE_WORDS:])[-ALIKE_CHARS:]
        b = " ".join(t.norm for t in new[-ALIKE_WORDS:])[-ALIKE_CHARS:]
    else:
        a = " ".join(t.norm for t in old[:ALIKE_WORDS])[:ALIKE_CHARS]
        b = " ".join(t.norm for t in new[:ALIKE_WORDS])[:ALIKE_CHARS]
    work.letters += len(a) * len(b)
    matcher = difflib.SequenceMatcher(None, a, b, False)
    return (
        matcher.real_quick_ratio() >= 0.6
        and matcher.quick_ratio() >= 0.6
        and matcher.ratio() >= 0.6
    )


def _comparable(a: int, b: int) -> bool:
    return a <= 2 * b + 2 and b <= 2 * a + 2


def _cut(old, kind: str, context: dict) -> Change:
    shown = diffs.join(old[:SHOWN_CUT_WORDS]) + (" …" if len(old) > SHOWN_CUT_WORDS else "")
    return Change(kind, shown, count=len(old), **context)


def _symbols(forward: str, source: str) -> list[str]:
    """Emoji and pictographs in the forward that the bulletin's text does not have, in the
    order they first appear (each distinct character looked at once)."""
    had = {ch for ch in set(source) if diffs.is_symbol(ch)}
    added = {ch for ch in set(forward) if ch not in had and diffs.is_symbol(ch)}
    return sorted(added, key=forward.index)
