"""Finding the official name a host imitates, with set and dict look-ups only, so that a
mail gateway can afford it for every new host.

A candidate name is normalised in three steps — Vietnamese diacritics folded, the Unicode
TR39 skeleton taken (disarm), digits read as letters — and the first step at which it meets an
official name says which trick was used. Typing slips are measured with the
optimal-string-alignment distance against the official names whose length is close enough to
matter, in one call into rapidfuzz's C++ (bit-parallel, with a cutoff): for a fresh name that
costs a few microseconds, where enumerating its deletions (the SymSpell idea) cost ten times
more (bench/url_batch.py). A near name counts only when its differences are slips
(verify/slips.py).
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import disarm
from rapidfuzz import process
from rapidfuzz.distance import OSA

from chinhthong.verify.slips import slip_distance
from chinhthong.verify.text import fold

LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
)
LEET_L = str.maketrans({"1": "l"})

# Words that, joined to an official name, make a look-alike look official or urgent.
LURES = frozenset(
    """gov govvn vn chinhthuc official online tructuyen dangnhap login signin xacminh xacthuc
    verify secure account taikhoan capnhat update hotro support thongbao tracuu nopphat
    phatnguoi dichvu service portal congdan hoso dangky khaibao canhbao hethong
    qov govn quocgia dinhdanh""".split()
)
# "gov" as a reader takes it: g0v and 9ov read as gov already (digits as letters); a "q" for
# the "g" (tracuu.qov.vn) and a dropped "v" (govn) are the misreadings scammers register.
GOV_TOKENS = frozenset({"gov", "govvn", "qov", "qovvn", "govn"})

# Vietnamese syllables: onset, vowel nucleus, final. Used to abbreviate official names the way
# scammers do (dichvucong -> dvc, dvcong; baohiemxahoi -> bhxh).
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"[aeiouy]+"
    r"(?:ch|ng|nh|[cmnpt])?(?![aeiouy])"
)

_LURE_PATTERN = re.compile("|".join(sorted(LURES, key=len, reverse=True)))
# A word made only of lures (tracuuphatnguoi, xacminhtaikhoan) is a lure too.
_LURES_JOINED = re.compile(f"(?:{_LURE_PATTERN.pattern})+")


def is_lure(word: str) -> bool:
    return word in LURES or _LURES_JOINED.fullmatch(word) is not None


# Letter pairs a reader takes for one letter at a glance (rn for m, vv for w, cl for d, ii for
# u): a name is also compared as read, with each pair taken as its letter, on both sides.
SEQUENCES = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("ii", "u"))


def as_read(name: str) -> str:
    for pair, letter in SEQUENCES:
        name = name.replace(pair, letter)
    return name


TYPO_MIN_LENGTH = 5  # shorter names (who, moh, csgt) are matched exactly, never by distance


def syllables(word: str) -> list[str] | None:
    """Split an ASCII Vietnamese word into syllables, or None when it is not one."""
    parts, position = [], 0
    while position < len(word):
        match = _SYLLABLE.match(word, position)
        if not match:
            return None
        parts.append(match.group())
        position = match.end()
    return parts


def abbreviations(core: str) -> set[str]:
    parts = syllables(core)
    if not parts or len(parts) < 2:
        return set()
    initials = "".join(p[0] for p in parts)
    forms = {initials, initials[:-1] + parts[-1]}
    return {form for form in forms if len(form) >= 3 and form != core}


def allowed_distance(length: int) -> int:
    if length >= 9:
        return 2
    if length >= TYPO_MIN_LENGTH:
        return 1
    return 0


class Normalised(NamedTuple):
    """A name after each normalisation step; ``final`` is compared with official names.
    A tuple of strings, so the many cached ones cost the garbage collector nothing."""

    raw: str
    folded: str
    skeleton: str
    final: str
    final_l: str  # "1" read as "l" instead of "i"

    def technique(self, official: str) -> str:
        """Which step turned this name into ``official`` (or "exact")."""
        if self.raw == official:
            return "exact"
        if self.folded == official:
            return "diacritics"
        if self.skeleton == official:
            return "homoglyph"
        return "leetspeak"

    def forms(self) -> tuple[str, ...]:
        return (self.final,) if self.final == self.final_l else (self.final, self.final_l)


@lru_cache(maxsize=50_000)
def normalise(name: str) -> Normalised:
    raw = name.lower()
    folded = fold(raw)
    skeleton = disarm.skeleton_key(folded) if not folded.isascii() else folded
    return Normalised(
        raw, folded, skeleton, skeleton.translate(LEET), skeleton.translate(LEET_L).translate(LEET)
    )


@dataclass(frozen=True, slots=True)
class Brand:
    """An official name: the label of a registered domain before its public suffix."""

    core: str
    registrable: str
    key: object  # what the caller attaches (channels); returned in matches
    # A site whose name spans labels (congchuc.quangninh.gov.vn): its words, in any order.
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    brand: Brand
    technique: str  # suffix_swap, combosquat, typosquat, diacritics, homoglyph, leetspeak
    distance: int = 0

    def registrable_differs(self, registrable: str) -> bool:
        return self.brand.registrable != registrable


class BrandIndex:
    def __init__(self, brands: list[Brand]):
        # Names spanning labels are matched whole or by their words only: as typing slips,
        # abbreviations or inside longer labels they flagged made-up names of other bodies.
        spanning = [b for b in brands if len(b.labels) > 1]
        brands = [b for b in brands if len(b.labels) <= 1]
        self.joined = {normalise(b.core).final: b for b in spanning}
        self.brands = {b.core: b for b in brands}
        self.abbreviations: dict[str, Brand] = {}
        for brand in brands:
            for abbreviation in abbreviations(brand.core):
                self.abbreviations.setdefault(abbreviation, brand)
        self.max_length = max((len(core) for core in self.brands), default=0)
        # For each length a name may have: the official names it could be a typing slip of,
        # grouped by the distance they allow (a name of 9+ letters allows 2, of 5–8 allows 1).
        self.typo_candidates: dict[int, tuple[tuple[int, tuple[str, ...]], ...]] = {}
        # Official names as names are compared (digits read as letters): tiemchungcovid19
        # is met by tiemchungcovid91 as one swap, not as two unrelated letters.
        self.finals: dict[str, Brand] = {}
        for core, brand in self.brands.items():
            self.finals.setdefault(normalise(core).final, brand)
        self.read: dict[str, Brand] = {}
        for final, brand in self.finals.items():
            self.read.setdefault(as_read(final), brand)
        near: dict[int, dict[int, list[str]]] = {}
        for core in self.finals:
            limit = allowed_distance(len(core))
            for n in range(len(core) - limit, len(core) + limit + 1):
                if limit and n > 0:
                    near.setdefault(n, {}).setdefault(limit, []).append(core)
        for n, groups in near.items():
            self.typo_candidates[n] = tuple(
                (limit, tuple(cores)) for limit, cores in sorted(groups.items())
            )
        # Sites whose names span labels, by each of their words: quangninh-congchuc.top.
        self.spans: dict[str, list[tuple[frozenset[str], Brand]]] = {}
        for brand in spanning:
            for word in set(brand.labels):
                self.spans.setdefault(word, []).append((frozenset(brand.labels), brand))
        # Long official names (8+ letters) looked for inside Facebook usernames.
        self.long_names = tuple(
            (core, normalise(core).final, brand)
            for core, brand in self.brands.items()
            if len(core) >= 8
        )

    def match(self, core_label: str, tokens: list[str]) -> Match | None:
        """The official name imitated by a domain whose registrable label is ``core_label``
        and whose name part (without public suffix) splits into ``tokens``."""
        core = normalise(core_label)
        lured = any(is_lure(normalise(t).final) for t in tokens) or core.final in LURES
        for form in core.forms():
            brand = self._official(form) or self.joined.get(form)
            if brand:
                technique = core.technique(brand.core)
                return Match(brand, "suffix_swap" if technique == "exact" else technique)
        return (
            self._sequences(core)
            or self._spanned(tokens)
            or self._tokens(tokens, lured)
            or self._embedded(core)
            or self._typo(core)
        )

    def _spanned(self, tokens: list[str]) -> Match | None:
        """congchuc-quangninh.com, quangninh-congchuc.top: every word of a site whose name
        spans labels (congchuc.quangninh.gov.vn), in any order, among the name's words."""
        if len(tokens) < 2 or not self.spans:
            return None
        words = {normalise(t).final for t in tokens}
        for word in words:
            for labels, brand in self.spans.get(word, ()):
                if labels <= words:
                    return Match(brand, "combosquat")
        return None

    def _sequences(self, name: Normalised) -> Match | None:
        """rnoh for moh, vvho for who, clichvucong for dichvucong: pairs of letters read as
        one (SEQUENCES), in the name or in the official one."""
        for form in name.forms():
            read = as_read(form)
            brand = self.read.get(read)
            if brand is not None and form != brand.core:
                return Match(brand, "letter_pairs")
        return None

    def _official(self, name: str) -> Brand | None:
        """The official name ``name`` is, as written or as read (dichvu247 as dichvuzat)."""
        return self.brands.get(name) or self.finals.get(name)

    def _tokens(self, tokens: list[str], lured: bool) -> Match | None:
        """quangninh-gov, dichvucong-quangninh, tracuu-gplx: an official name as one word
        among others, at least one of them a lure or another official name."""
        normalised = [normalise(t) for t in tokens]
        officials = [n for n in normalised if self._official(n.final)]
        if officials and len(tokens) > 1:
            brand = self._official(officials[0].final)
            # who-int.org: the official suffix written into the name is a lure of its own.
            suffix_labels = set(brand.registrable[len(brand.core) + 1 :].split("."))
            others = {n.final for n in normalised if n is not officials[0]}
            if lured or len(officials) > 1 or others & suffix_labels:
                return Match(brand, "combosquat")
        if not lured:
            return None
        for n in normalised:
            brand = self.abbreviations.get(n.final)
            if brand:
                return Match(brand, "combosquat")
            typo = self._typo(n)
            if typo:
                return typo
        return None

    def _embedded(self, core: Normalised) -> Match | None:
        """An official name or its abbreviation inside a longer label, next to a lure word:
        cucgplxgov, dvcongvn, quangninhgov."""
        text = core.final
        # A lure must surround the name, so a label with none cannot match (most cannot).
        if len(text) > 40 or not _LURE_PATTERN.search(text):
            return None
        for start in range(len(text)):
            for end in range(start + 3, min(len(text), start + self.max_length) + 1):
                piece = text[start:end]
                brand = self._official(piece) or self.abbreviations.get(piece)
                if brand is None or piece == text:
                    continue
                rest = text[:start] + " " + text[end:]
                if _has_lure(rest, strict=len(piece) < TYPO_MIN_LENGTH):
                    return Match(brand, "combosquat")
        return None

    def _typo(self, name: Normalised) -> Match | None:
        """The official name this one is a typing slip of (nearest first), or None."""
        best = None
        for form in name.forms():
            for limit, cores in self.typo_candidates.get(len(form), ()):
                for core, distance, _ in process.extract(
                    form, cores, scorer=OSA.distance, score_cutoff=limit, limit=None
                ):
                    if distance > 0:
                        # Near in letters; a trap only if the differences are slips.
                        distance = slip_distance(form, core, limit)
                    if 0 < distance <= limit and (best is None or distance < best.distance):
                        technique = "typosquat" if form == name.raw else name.technique(form)
                        best = Match(
                            self.finals[core],
                            "typosquat" if technique == "exact" else technique,
                            distance,
                        )
        return best


def _has_lure(rest: str, strict: bool) -> bool:
    """Does what surrounds an embedded name carry a lure (gov, vn, online, …)? Short names
    (who, moh) hide inside ordinary words, so for them only "gov" or a whole lure counts."""
    for word in (w for w in rest.split(" ") if w):
        if is_lure(word) or word.startswith("gov") or word.endswith("gov"):
            return True
        if not strict and (word.endswith("vn") or word.startswith("vn")):
            return True
    return False
