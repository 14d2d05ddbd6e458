"""Which runs of words two texts have in common, in order, with the work it takes bounded: the
alignment of a pasted forward (anyone's text, up to forwards.MAX_FORWARD_CHARS) with a
bulletin's version (bulletins/forwards.py).

Only runs of at least ``min_run`` words count (fewer in a row are a coincidence), so the texts
are compared as sequences of ``min_run``-word grams rather than of words: a common word repeated
thousands of times ("người người người …", "và") costs nothing more than any other, where a
word-by-word difflib spends the product of its occurrences in the two texts on every pass.

``blocks`` first tries the exact way — the blocks difflib's SequenceMatcher (without its junk
heuristic) finds between the two word sequences, keeping those of ``min_run`` words or more,
found over grams so that only positions sharing a gram are visited — within a number of steps
(a position visited, a pair of positions compared; reading the texts into grams, linear, is
not counted there) taken from a ``Work`` shared by the whole check. Past it (a long forward
whose runs must be found one by one), the comparison is made the coarse way: grams found once
in each text anchor it (the longest chain of them in the same order, then each run extended
word by word), twice more inside the stretches left between the anchors; linear in the length
of the texts. The result then says it was shortened.
"""

import bisect
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

Block = tuple[int, int, int]  # (position in the old text, in the new one, words)

COARSE_ROUNDS = 3  # the coarse comparison looks again inside what is left, this many times


class OverBudget(Exception):
    """The exact comparison would take more steps than are left."""


@dataclass
class Work:
    """What one forward check spent, by kind of step, and the exact alignment's steps allowed
    in all (``exact_limit``): for the benchmark and the tests to see the bounds hold."""

    exact_limit: int
    versions: int = 0  # versions compared
    words: int = 0  # words read into tokens and grams: the forward's and the versions'
    text: int = 0  # characters of the versions compared
    postings: int = 0  # postings counted by the candidate search
    exact: int = 0  # exact alignment: positions visited and pairs of positions compared
    coarse: int = 0  # coarse alignment: words looked at, each round
    letters: int = 0  # pairs of letters the comparisons of stretches may look at

    @property
    def exact_left(self) -> int:
        return self.exact_limit - self.exact

    @property
    def spent(self) -> int:
        return self.words + self.postings + self.exact + self.coarse + self.letters


def grams(keys: Sequence[Hashable], k: int) -> list:
    """The sequence of ``k`` consecutive keys at each position (the keys themselves for 1)."""
    if k <= 1:
        return list(keys)
    return list(zip(*(keys[s:] for s in range(k)), strict=False))


def blocks(
    old: Sequence[Hashable], new: Sequence[Hashable], min_run: int, work: Work
) -> tuple[list[Block], bool]:
    """The runs of at least ``min_run`` equal keys ``old`` and ``new`` have in common, in
    order, and whether they were found the coarse way (the exact one would have cost more
    than ``work`` has left)."""
    k = max(1, min_run)
    old_grams, new_grams = grams(old, k), grams(new, k)
    work.words += len(old_grams) + len(new_grams)
    if work.exact_left > 0:
        exact = _Exact(old_grams, new_grams, k, work.exact_left)
        try:
            found = exact.blocks(len(old), len(new))
        except OverBudget:
            found = None
        work.exact += exact.steps
        if found is not None:
            return found, False
    return _coarse(old, new, old_grams, new_grams, k, work), True


def _merged(found: list[Block]) -> list[Block]:
    found.sort()
    merged: list[Block] = []
    for i, j, size in found:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + size)
        else:
            merged.append((i, j, size))
    return merged


class _Exact:
    """difflib.SequenceMatcher's longest-match-first recursion (the same blocks, the same
    choice between runs as long as each other: the earliest in the old text, then in the new
    one) over grams, visiting only the old text's positions whose gram the new text has."""

    def __init__(self, old_grams: list, new_grams: list, k: int, limit: int):
        self.k, self.limit, self.steps = k, limit, 0
        self.old = old_grams
        self.where: dict = {}  # gram -> its positions in the new text, ascending
        for j, gram in enumerate(new_grams):
            self.where.setdefault(gram, []).append(j)
        self.shared = [i for i, gram in enumerate(old_grams) if gram in self.where]

    def blocks(self, n: int, m: int) -> list[Block]:
        found: list[Block] = []
        queue = [(0, n, 0, m)]
        while queue:
            alo, ahi, blo, bhi = queue.pop()
            i, j, size = self.longest(alo, ahi, blo, bhi)
            if size:
                found.append((i, j, size))
                if alo < i and blo < j:
                    queue.append((alo, i, blo, j))
                if i + size < ahi and j + size < bhi:
                    queue.append((i + size, ahi, j + size, bhi))
        return _merged(found)

    def longest(self, alo: int, ahi: int, blo: int, bhi: int) -> Block:
        """The longest run of words (of at least k) within the ranges, as difflib's
        find_longest_match would find it, or size 0."""
        k, where, old, shared = self.k, self.where, self.old, self.shared
        a_end, b_end = ahi - k + 1, bhi - k + 1  # grams wholly inside the ranges
        best_i, best_j, best = alo, blo, 0
        if a_end <= alo or b_end <= blo:
            return best_i, best_j, 0
        lengths: dict[int, int] = {}
        previous = -2
        steps = self.steps
        for i in shared[bisect.bisect_left(shared, alo) : bisect.bisect_left(shared, a_end)]:
            if i != previous + 1:
                lengths = {}
            previous = i
            positions = where[old[i]]
            first = bisect.bisect_left(positions, blo) if positions[0] < blo else 0
            last = bisect.bisect_left(positions, b_end, first)
            steps += last - first + 1
            if steps > self.limit:
                self.steps = steps
                raise OverBudget
            ahead: dict[int, int] = {}
            for j in positions[first:last]:
                run = lengths.get(j - 1, 0) + 1
                ahead[j] = run
                if run > best:
                    best_i, best_j, best = i - run + 1, j - run + 1, run
            lengths = ahead
        self.steps = steps
        return (best_i, best_j, best + k - 1) if best else (best_i, best_j, 0)


def _coarse(old, new, old_grams, new_grams, k: int, work: Work) -> list[Block]:
    """Runs anchored by grams found once in each text (in each stretch left between runs,
    for COARSE_ROUNDS rounds): linear in the texts' length, as many steps as words per round."""
    found: list[Block] = []
    stretches = [(0, len(old), 0, len(new))]
    for _round in range(COARSE_ROUNDS):
        left = []
        for alo, ahi, blo, bhi in stretches:
            runs = _anchored(old, new, old_grams, new_grams, k, (alo, ahi, blo, bhi))
            work.coarse += (ahi - alo) + (bhi - blo)
            found += runs
            ends = [(alo, blo), *((i + s, j + s) for i, j, s in runs)]
            starts = [*((i, j) for i, j, _s in runs), (ahi, bhi)]
            if runs:
                left += [
                    (a1, a2, b1, b2)
                    for (a1, b1), (a2, b2) in zip(ends, starts, strict=True)
                    if a2 - a1 >= k and b2 - b1 >= k
                ]
        stretches = left
        if not stretches:
            break
    return _merged(found)


def _anchored(old, new, old_grams, new_grams, k: int, span) -> list[Block]:
    alo, ahi, blo, bhi = span
    once_new: dict = {}
    for j in range(blo, bhi - k + 1):
        gram = new_grams[j]
        once_new[gram] = -1 if gram in once_new else j
    once_old: dict = {}
    for i in range(alo, ahi - k + 1):
        gram = old_grams[i]
        if gram in once_new:
            once_old[gram] = -1 if gram in once_old else i
    pairs = [(i, once_new[g]) for g, i in once_old.items() if i >= 0 and once_new[g] >= 0]
    pairs.sort()
    runs: list[Block] = []
    end_a, end_b = alo, blo
    for i, j in _increasing(pairs):
        if i < end_a or j < end_b:
            continue  # inside the run before, or crossing it
        size = k
        while i > end_a and j > end_b and old[i - 1] == new[j - 1]:
            i, j, size = i - 1, j - 1, size + 1
        while i + size < ahi and j + size < bhi and old[i + size] == new[j + size]:
            size += 1
        runs.append((i, j, size))
        end_a, end_b = i + size, j + size
    return runs


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of pairs increasing in both positions (pairs sorted by the first)."""
    tails: list[int] = []  # the second position ending the best chain of each length
    ends: list[int] = []  # the index of that pair
    before = [-1] * len(pairs)
    for n, (_i, j) in enumerate(pairs):
        length = bisect.bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[length], ends[length] = j, n
        before[n] = ends[length - 1] if length else -1
    chain, n = [], ends[-1] if ends else -1
    while n >= 0:
        chain.append(pairs[n])
        n = before[n]
    return chain[::-1]


def opcodes(
    old: Sequence[Hashable], new: Sequence[Hashable], min_run: int, work: Work
) -> tuple[list[tuple[str, int, int, int, int]], bool]:
    """The blocks as difflib's opcodes ("equal", "replace", "delete", "insert" and the
    ranges), and whether they were found the coarse way."""
    found, coarse = blocks(old, new, min_run, work)
    codes, i, j = [], 0, 0
    for a, b, size in [*found, (len(old), len(new), 0)]:
        if a > i or b > j:
            tag = "replace" if a > i and b > j else "delete" if a > i else "insert"
            codes.append((tag, i, a, j, b))
        if size:
            codes.append(("equal", a, a + size, b, b + size))
        i, j = a + size, b + size
    return codes, coarse
