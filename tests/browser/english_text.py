"""English left in a Vietnamese page, found by comparing what the page shows with the message
catalogues of the installed code, not with a list of strings someone thought of.

A text on a Vietnamese page is English when
- it is an English msgid (or a msgid with its placeholders filled) of our catalogue, of
  Django's catalogues (their .po files) or of an installed app: the strings its code and
  templates mark for translation, extracted with xgettext as `makemessages` does (some apps
  ship no catalogue, others an old one) — unless a Vietnamese catalogue translates that msgid
  to itself (names such as "Zalo" or "Email"); or
- it is written in English words (Debian's wamerican word list), or holds a long English word
  (six letters or more; Vietnamese syllables are shorter): this catches strings no catalogue
  carries, such as an app's name written without gettext, and English glued to Vietnamese
  ("Historical kênh").
Acronyms (UBND, WHO, API), numbers, addresses and identifiers are neither.
"""

import functools
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.utils.translation.template import templatize

WORD_LIST = Path("/usr/share/dict/american-english")
# Words Vietnamese writes as they are (names of products, formats), and Vietnamese words
# without tone marks that the English word list also holds.
VIETNAMESE_TOO = {"email", "facebook", "zalo", "website", "web", "app", "internet", "online"}
# The keywords `makemessages` gives xgettext.
KEYWORDS = [
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3",
]
# A placeholder of Python's formats (%s, %(name)s, %d) or of str.format ({name}).
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{[^{}]*\}")
_WORD = re.compile(r"[^\W\d_]+")
# Identifiers, in no language: addresses, hosts, paths and file names (registry.pub, @who.int,
# facebook.com/s4tquangninh), names in code (rebuild_snapshot), letters with digits (argon2id,
# PA03), form data (username=…).
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_IDENTIFIER = re.compile(r"\S*\w[./@:=_]\S*|\S*[=_]\w\S*|\w*\d\w*")


@dataclass(frozen=True)
class Catalogues:
    """English msgids of every catalogue, and those a Vietnamese catalogue keeps as they are."""

    msgids: frozenset[str]
    patterns: re.Pattern | None
    same_in_vietnamese: frozenset[str]


def normalise(text: str) -> str:
    return " ".join(text.split()).strip().rstrip(":").strip().casefold()


def _unquote(line: str) -> str:
    body = line.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def po_entries(path: Path) -> list[tuple[list[str], list[str]]]:
    """(msgid and msgid_plural, msgstrs) of each entry of a .po file, obsolete ones left out."""
    entries, ids, strs, current = [], [], [], None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if line.startswith("#") or not line:
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"') and current is not None:
            current[-1] += _unquote(line)
            continue
        if keyword == "msgctxt" or (keyword == "msgid" and strs):
            if ids:
                entries.append((ids, strs))
            ids, strs = [], []
        if keyword in ("msgid", "msgid_plural"):
            ids.append(_unquote(rest))
            current = ids
        elif keyword.startswith("msgstr"):
            strs.append(_unquote(rest))
            current = strs
    if ids:
        entries.append((ids, strs))
    return entries


def _locale_roots() -> list[Path]:
    roots = [Path(django.__file__).parent / "conf" / "locale"]
    roots += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    roots += [Path(p) for p in settings.LOCALE_PATHS]
    return [root for root in dict.fromkeys(roots) if root.is_dir()]


def _catalogue_files(root: Path) -> tuple[list[Path], list[Path]]:
    """One catalogue per domain of a locale folder to read the msgids from (every language's
    .po lists them all), and its Vietnamese catalogues."""
    english, vietnamese = [], []
    for domain in ("django.po", "djangojs.po"):
        found = sorted(root.glob(f"*/LC_MESSAGES/{domain}"))
        preferred = [p for p in found if p.parts[-3] in ("en", "vi")]
        if found:
            english.append((preferred or found)[0])
        vietnamese += [p for p in found if p.parts[-3] == "vi"]
    return english, vietnamese


def _third_party_sources() -> list[Path]:
    """The folders of installed apps that are neither Django's nor this project's."""
    django_dir = Path(django.__file__).parent
    ours = Path(settings.PACKAGE_DIR)
    folders = {Path(config.path) for config in apps.get_app_configs()}
    return sorted(
        f for f in folders if not f.is_relative_to(django_dir) and not f.is_relative_to(ours)
    )


def source_msgids(folder: Path) -> set[str]:
    """The strings an app's code and templates mark for translation."""
    with tempfile.TemporaryDirectory() as scratch:
        files = [str(p) for p in folder.rglob("*.py") if "migrations" not in p.parts]
        for number, template in enumerate(sorted(folder.rglob("templates/**/*.html"))):
            converted = Path(scratch) / f"template_{number}.py"
            text = template.read_text(encoding="utf-8", errors="replace")
            converted.write_text(templatize(text, str(template)), encoding="utf-8")
            files.append(str(converted))
        extracted = Path(scratch) / "extracted.pot"
        subprocess.run(
            [
                "xgettext",
                "--language=Python",
                "--from-code=UTF-8",
                *(f"--keyword={k}" for k in KEYWORDS),
                "-o",
                str(extracted),
                *files,
            ],
            check=True,
            capture_output=True,
        )
        if not extracted.exists():
            return set()
        return {i for ids, _strs in po_entries(extracted) for i in ids if i}


@functools.cache
def catalogues() -> Catalogues:
    msgids: set[str] = set()
    same: set[str] = set()
    for folder in _third_party_sources():
        msgids |= source_msgids(folder)
    for root in _locale_roots():
        english, vietnamese = _catalogue_files(root)
        for path in english:
            for ids, _strs in po_entries(path):
                msgids.update(i for i in ids if i)
        for path in vietnamese:
            for ids, strs in po_entries(path):
                if strs and ids[0] and normalise(strs[0]) == normalise(ids[0]):
                    same.add(normalise(ids[0]))
    plain = {normalise(m) for m in msgids if not _PLACEHOLDER.search(m)}
    filled = [_as_pattern(m) for m in msgids if _PLACEHOLDER.search(m)]
    filled = [p for p in filled if p]
    pattern = re.compile("|".join(f"(?:{p})" for p in filled)) if filled else None
    return Catalogues(frozenset(plain - same), pattern, frozenset(same))


def _as_pattern(msgid: str) -> str | None:
    """A msgid with placeholders as a pattern of the whole text; None when what is left is too
    little English to tell ("%s: %s")."""
    parts = _PLACEHOLDER.split(normalise(msgid))
    if sum(len(w) for part in parts for w in _WORD.findall(part) if len(w) >= 3) < 4:
        return None
    return ".+?".join(re.escape(part) for part in parts)


@functools.cache
def english_words() -> frozenset[str]:
    if not WORD_LIST.exists():
        raise RuntimeError(f"{WORD_LIST} is missing; `make test` installs Debian's wamerican")
    words = WORD_LIST.read_text(encoding="utf-8", errors="replace").split()
    # Common words only: the list's names of people and places (Trang, Long) are not English.
    return frozenset(w.removesuffix("'s") for w in words if w.islower())


def why_english(text: str, identifiers: frozenset[str] = frozenset()) -> str | None:
    """Why ``text``, seen on a Vietnamese page, is English; None when it is not.
    ``identifiers``: names the deployment chose (a task queue's name), in no language."""
    if normalise(text) in identifiers:
        return None
    plain = normalise(text)
    words = _WORD.findall(text)
    if not words or all(not w.isascii() or w.isupper() for w in words):
        return None  # no letters, Vietnamese, or acronyms only
    known = catalogues()
    if plain in known.msgids:
        return "an English msgid of a catalogue"
    if known.patterns is not None and known.patterns.fullmatch(plain):
        return "an English msgid of a catalogue, its placeholders filled"
    if plain in known.same_in_vietnamese:
        return None
    words = _WORD.findall(_IDENTIFIER.sub(" ", text))
    if words and all(w.isascii() for w in words) and _mostly_english(words):
        return "English words"
    # Words in quotation marks are names (the “Control” key); the rest, read for English.
    unquoted = _WORD.findall(_QUOTED.sub(" ", _IDENTIFIER.sub(" ", text)))
    long_english = [w for w in unquoted if len(w) >= 6 and _is_english_word(w.casefold())]
    if any(not w.isupper() and w.casefold() not in VIETNAMESE_TOO for w in long_english):
        return "an English word in Vietnamese text"  # "Historical kênh"
    return None


def _mostly_english(words: list[str]) -> bool:
    """At least two words of three are English (Vietnamese without its tone marks, names and
    identifiers are not), and one of them has three letters or more."""
    lowered = [w.casefold() for w in words if not w.isupper()]
    lowered = [w for w in lowered if w not in VIETNAMESE_TOO]
    english = [w for w in lowered if _is_english_word(w)]
    return (
        bool(english) and any(len(w) >= 3 for w in english) and 3 * len(english) >= 2 * len(lowered)
    )


def _is_english_word(word: str) -> bool:
    dictionary = english_words()
    if word in dictionary:
        return True
    # Inflections the list leaves out (enqueued, retries, queueing).
    stems = {
        word.removesuffix(suffix) + ending
        for suffix, ending in (
            ("s", ""),
            ("es", ""),
            ("ies", "y"),
            ("d", ""),
            ("ed", ""),
            ("ing", ""),
        )
        if word.endswith(suffix)
    }
    return any(len(stem) >= 3 and stem in dictionary for stem in stems)
