"""Texts as words, and what changed between two of them, word by word: the versions of a
bulletin on its public page, and a forwarded text against the bulletin it came from
(bulletins/forwards.py, aligned by bulletins/alignment.py). Pure functions, no database."""

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lxml.html
from lxml import etree

from chinhthong.verify.domains import is_known_suffix

# Words kept around a change when long unchanged runs are shortened.
CONTEXT_WORDS = 8
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "table"}
_LINES = {"li", "tr", "br", "hr"}
_TRAILING = ".,;:!?…)]}\"'»”’"
_LEADING = "([{\"'«“‘"


@dataclass(frozen=True, slots=True)
class Token:
    """A word as written, with the space before it ("" at the start, " ", "\\n" or "\\n\\n")
    and its normal form: lowercase without diacritics, letters and digits only ("" for an
    emoji or a punctuation mark), or "link " and the link's key for a web address."""

    text: str
    space: str
    norm: str

    @property
    def is_link(self) -> bool:
        return self.norm.startswith("link ")

    @property
    def core(self) -> str:
        """The word's letters and digits as written, lowercase, with their diacritics."""
        return "".join(ch for ch in unicodedata.normalize("NFC", self.text.lower()) if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of words in a comparison: "equal", "delete" (only in the old text), "insert"
    (only in the new one), or "gap" (unchanged words left out, ``text`` their count)."""

    kind: str
    text: str
    space: str = ""  # the space before it, outside the marked words


# --- words ----------------------------------------------------------------------------------
def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {0x0110: "d", 0x0111: "d"}
    for code in range(0x00C0, 0x1F00):
        bare = "".join(
            c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c)
        )
        if bare != chr(code):
            table[code] = bare
    for code in range(0x0300, 0x0370):  # combining marks of a decomposed text
        table[code] = None
    return table


_FOLD = _fold_table()


def fold_text(text: str) -> str:
    """Lowercase without diacritics ("Đường" -> "duong"), as verify.text.fold, for whole
    texts at once (one C-level pass instead of a Python loop over the letters)."""
    return text.translate(_FOLD).casefold()


def link_key(text: str) -> str | None:
    """The key a web address is compared by (host lowercase without "www.", no scheme, no
    trailing slash or punctuation), or None when ``text`` is not one."""
    word = text.strip(_LEADING).rstrip(_TRAILING)
    lower = word.lower()
    schemed = lower.startswith(("http://", "https://"))
    if schemed:
        rest = word.split("://", 1)[1]
    elif "." in word and "@" not in word:
        rest = word
    else:
        return None
    host, _sep, path = rest.partition("/")
    host = host.split("?", 1)[0].split("#", 1)[0].lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    bare = host.rsplit("@", 1)[-1].split(":", 1)[0]
    # With its scheme, any host is a link (an IP address, a local name); without, only a
    # name under a known suffix is ("v.v.", "1.000" and "TP.HCM" are words).
    if not bare or not (schemed or (is_known_suffix(bare) and not bare.replace(".", "").isdigit())):
        return None
    path = path.rstrip("/")
    return f"{host}/{path}" if path else host


def normal_form(text: str) -> str:
    # A link has a dot or a scheme's colon; the rest, letters and digits ("[^\W_]" is
    # str.isalnum, at C speed).
    if "." in text or ":" in text:
        key = link_key(text)
        if key is not None:
            return "link " + key
    return _NOT_ALNUM.sub("", fold_text(text))


def tokens(text: str) -> list[Token]:
    """The words of ``text`` in order, each with the space before it (paragraph and line
    breaks kept, other runs of space made one)."""
    found, last = [], 0
    known: dict[str, str] = {}  # the normal form of each word met (words recur)
    for match in _WORD.finditer(text):
        gap = text[last : match.start()]
        last = match.end()
        breaks = gap.count("\n")
        space = "\n\n" if breaks > 1 else "\n" if breaks else " " if gap else ""
        word = match.group()
        norm = known.get(word)
        if norm is None:
            norm = known[word] = normal_form(word)
        found.append(Token(word, space if found else "", norm))
    return found


def words(found: Sequence[Token]) -> list[Token]:
    """The tokens that are words or links (not emoji or punctuation alone)."""
    return [t for t in found if t.norm]


def join(found: Sequence[Token]) -> str:
    """The tokens as text again, with their spaces (none before the first)."""
    return "".join((t.space if i else "") + t.text for i, t in enumerate(found))


def is_symbol(text: str) -> bool:
    """An emoji or another pictograph (not a punctuation mark)."""
    return any(unicodedata.category(ch) in ("So", "Sk", "Cs") for ch in text)


# --- HTML as text ---------------------------------------------------------------------------
def plain_text(html: str) -> str:
    """The text a reader sees in a sanitised body, paragraphs kept apart by a blank line and
    list items and table rows by a line break."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    parts: list[str] = []
    _walk(root, parts)
    text = "".join(parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _walk(element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _BLOCKS:
        parts.append("\n\n")
    if element.text and tag != "br":
        parts.append(element.text)
    for child in element:
        if isinstance(child, etree._Comment):
            continue
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if tag in _BLOCKS:
        parts.append("\n\n")
    elif tag in _LINES:
        parts.append("\n")
    elif tag in ("td", "th"):
        parts.append(" ")


def links(html: str) -> list[str]:
    """The addresses the body's links and images point to, in order, each once."""
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    found = [el.get("href") or el.get("src") or "" for el in root.iter("a", "img")]
    return list(dict.fromkeys(f for f in found if f))


# --- comparison -----------------------------------------------------------------------------
def opcodes(
    old: Sequence[Token], new: Sequence[Token], key: Callable[[Token], str]
) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes over the tokens' keys (no "junk" heuristic: the commonest Vietnamese
    syllables, "và", "các", "của", would otherwise be skipped and the alignment fragmented)."""
    matcher = difflib.SequenceMatcher(None, [key(t) for t in old], [key(t) for t in new], False)
    return matcher.get_opcodes()


def exact(token: Token) -> str:
    return token.text


def word_diff(old: str, new: str, *, context: int = CONTEXT_WORDS) -> list[Segment]:
    """``old`` → ``new`` word by word, as written (a diacritic corrected is a change), with
    unchanged runs longer than twice ``context`` shortened to a gap."""
    a, b = tokens(old), tokens(new)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b, exact):
        if tag == "equal":
            first, last = i1 == j1 == 0, (i2, j2) == (len(a), len(b))
            segments += _equal(a[i1:i2], context, first=first, last=last)
            continue
        if tag in ("delete", "replace"):
            segments.append(Segment("delete", join(a[i1:i2]), a[i1].space))
        if tag in ("insert", "replace"):
            space = " " if tag == "replace" else b[j1].space
            segments.append(Segment("insert", join(b[j1:j2]), space))
    return segments


def _equal(run: Sequence[Token], context: int, *, first: bool, last: bool) -> list[Segment]:
    head = 0 if first else context
    tail = 0 if last else context
    if len(run) <= head + tail + 3:
        return [Segment("equal", join(run), run[0].space)]
    found = []
    if head:
        found.append(Segment("equal", join(run[:head]), run[0].space))
    found.append(Segment("gap", str(len(run) - head - tail), " "))
    if tail:
        found.append(Segment("equal", join(run[-tail:]), " "))
    return found


def changed(segments: Sequence[Segment]) -> bool:
    return any(s.kind in ("insert", "delete") for s in segments)


@dataclass(frozen=True)
class VersionChanges:
    """What a version changed from the one before: each field's word diff (None when the
    field is unchanged) and the sources added and removed."""

    title: list[Segment] | None
    summary: list[Segment] | None
    body: list[Segment] | None
    sources_added: list[dict]
    sources_removed: list[dict]

    @property
    def any(self) -> bool:
        return bool(
            self.title or self.summary or self.body or self.sources_added or self.sources_removed
        )


def version_changes(old, new) -> VersionChanges:
    """``old`` and ``new``: objects with title, summary, body_html and sources (the versions)."""

    def field(before: str, after: str) -> list[Segment] | None:
        if before == after:
            return None
        return word_diff(before, after)

    old_sources = [_source_key(s) for s in old.sources or []]
    new_sources = [_source_key(s) for s in new.sources or []]
    return VersionChanges(
        title=field(old.title, new.title),
        summary=field(old.summary, new.summary),
        body=field(plain_text(old.body_html), plain_text(new.body_html)),
        sources_added=[
            s for s, k in zip(new.sources or [], new_sources, strict=True) if k not in old_sources
        ],
        sources_removed=[
            s for s, k in zip(old.sources or [], old_sources, strict=True) if k not in new_sources
        ],
    )


def _source_key(source) -> tuple[str, str]:
    if isinstance(source, dict):
        return (str(source.get("title", "")), str(source.get("url", "")))
    return (str(source), "")
