"""The registry's agencies by the words people write for them, so that a state body protects its
name even where it has no channel of that kind: syt-quangninh.top and quangninh-syt.com use the
name of Sở Y tế tỉnh Quảng Ninh ("SYT"), conganquangninh.com that of Công an tỉnh Quảng Ninh,
bca-xacminh.com that of Bộ Công an.

An agency's name splits into the body ("Sở Y tế", "Công an", "Ủy ban nhân dân") and the place it
serves ("tỉnh Quảng Ninh", "Việt Nam"). The body is written whole (soyte), by its initials as
Vietnamese readers abbreviate (syt, ubnd, stttt, bhxh) or by its short name (CDC, QMG); the place
whole (quangninh) or by its initials (qn). A host imitates the agency when its words are a body
and the agency's own place, or a body of a national agency and a lure word (gov, xacminh, …).
Every look-up is a dict or set probe: this runs for every host no channel has."""

from dataclasses import dataclass

from chinhthong.verify.lookalike import LURES, normalise
from chinhthong.verify.text import fold

# Words that begin the place an agency serves: "Sở Y tế [tỉnh Quảng Ninh]".
PLACE_MARKERS = ("thanh pho", "thi xa", "thi tran", "tinh", "tp", "huyen", "quan", "xa", "phuong")
NATIONAL_PLACES = ("viet nam",)
NATIONAL = frozenset({"vietnam", "vn"})
# Words that name a kind of body, dropped to give a second form: "Sở Y tế" is also "Y tế".
KIND_WORDS = ("so", "trung tam", "ban", "phong", "cuc", "vu")
MIN_JOINED = 6  # body and place written as one word: sytqn is too short to be anyone's
MIN_BODY = 3  # two letters (ca, yt, tt) are anyone's


@dataclass(frozen=True, slots=True)
class AgencyMatch:
    agency: str  # code
    name: str  # the words of the host that name it, as written
    key: object  # what the caller attached (the agency's channels)


class AgencyMarks:
    def __init__(
        self,
        agencies: list[dict],
        keys: dict[str, object],
        sites: dict[str, tuple[str, object]] | None = None,
    ):
        """``agencies``: the registry document's agency entries; ``keys``: what to return for
        each agency code (its channels); ``sites``: official site names (dichvucong) with their
        agency and key, imitated when joined to a place (dichvucongquangninh.com)."""
        # body form -> {place form -> agency}
        self.bodies: dict[str, dict[str, tuple[str, object]]] = {}
        self.national: dict[str, tuple[str, object]] = {}  # bodies serving no named place
        self.joined: dict[str, tuple[str, object]] = {}
        forms = {a.get("code", ""): _forms(a) for a in agencies if a.get("code") in keys}
        # The places the registry serves: a national body's name joined to one of them is
        # its local office's (bhxh-quangninh.com).
        local = set().union(*(places for _, places in forms.values() if places - NATIONAL))
        for code, (bodies, places) in forms.items():
            found = (code, keys[code])
            if not places - NATIONAL:
                for body in bodies:
                    self.national.setdefault(body, found)
                places = places | local
            for body in bodies:
                for place in places:
                    self.bodies.setdefault(body, {}).setdefault(place, found)
                    self._join(body, place, found)
        for site, found in (sites or {}).items():
            for place in local:
                self._join(site, place, found)

    def _join(self, body: str, place: str, found: tuple[str, object]) -> None:
        for joined in (body + place, place + body):
            if len(joined) >= MIN_JOINED:
                self.joined.setdefault(joined, found)

    def match(self, core: str, tokens: list[str]) -> AgencyMatch | None:
        """The agency whose name a host's registrable label ``core`` and name words
        ``tokens`` use, or None."""
        words = [normalise(t).final for t in tokens]
        final = normalise(core).final.replace("-", "")
        for word, written in ((final, core), *zip(words, tokens, strict=True)):
            found = self.joined.get(word)
            if found:
                return AgencyMatch(found[0], written, found[1])
        present = set(words)
        for word in words:
            places = self.bodies.get(word)
            if places:
                for place in present & places.keys():
                    if place != word:
                        found = places[place]
                        return AgencyMatch(found[0], core, found[1])
            found = self.national.get(word)
            if found and present & LURES - {word}:
                return AgencyMatch(found[0], core, found[1])
        return None


def _forms(agency: dict) -> tuple[set[str], set[str]]:
    """(body forms, place forms) of an agency, as words without spaces."""
    name = fold(agency.get("name") or "")
    body, place, marker = _split_place(name)
    bodies: set[str] = set()
    for phrase in (body, *_without_kind(body)):
        bodies |= _written(phrase)
    # Short names as written: the capitals readers know (TTTT, CDC, BHXH, CSGT, QMG), and with
    # the kind of body before them (Sở TTTT -> sotttt).
    short = agency.get("short_name") or ""
    capitals = [w for w in short.split() if len(w) >= 2 and w.isupper()]
    if capitals:
        bodies |= {fold(w) for w in capitals}
        words = fold(short).split()
        first = fold(capitals[0])
        if words.index(first) == 1:
            bodies.add(words[0] + first)
    places = _written(place) if place else set()
    if marker:
        places |= {marker.replace(" ", "") + p for p in _written(place)}  # tinhquangninh
    if place in NATIONAL_PLACES:
        places |= {"vn"}
    return {b for b in bodies if len(b) >= MIN_BODY}, {p for p in places if len(p) >= 2}


def _split_place(name: str) -> tuple[str, str, str]:
    """(body, place, the word before the place) of a folded agency name."""
    padded = f" {name} "
    for national in NATIONAL_PLACES:
        if padded.endswith(f" {national} "):
            return name[: -len(national)].strip(), national, ""
    for marker in PLACE_MARKERS:
        at = padded.find(f" {marker} ")
        if at > 0:
            return name[: at - 1].strip(), name[at + len(marker) :].strip(), marker
    return name, "", ""


def _without_kind(body: str) -> list[str]:
    for kind in KIND_WORDS:
        if body.startswith(kind + " ") and len(body) > len(kind) + 3:
            return [body[len(kind) + 1 :]]
    return []


def _written(phrase: str) -> set[str]:
    """A phrase joined (quangninh, soyte) and by its initials (qn, syt), with and without "và"."""
    words = phrase.split()
    if not words:
        return set()
    forms = {"".join(words)}
    kept = [w for w in words if w != "va"]
    forms.add("".join(kept))
    if len(kept) > 1:
        forms.add("".join(w[0] for w in kept))
    return forms
