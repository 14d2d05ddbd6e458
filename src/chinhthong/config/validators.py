"""Rules every stored value follows, whichever model holds it: text without invisible control
characters, and links whose port exists. Model fields carry these validators, so the back
office, the registry importer and the services that call ``full_clean()`` refuse the same
values with the same messages."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chinhthong.verify import canonical

# C0 controls, DEL and C1 controls (Unicode category Cc), and every format character (category
# Cf), which is invisible or changes how the text around it is shown: the Bidi_Control
# characters (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069) reorder what is displayed
# (U+202E before "nv.vog" shows "gov.vn"); zero-width space and joiners (U+200B–U+200D), word
# joiner and invisible operators (U+2060–U+2064), the byte-order mark (U+FEFF), the soft hyphen
# (U+00AD) and tag characters (U+E0000–U+E007F, the whole block) make two names that look the
# same differ. Python's re has no \p{Cf}: the ranges are Unicode 15.1's, with the unassigned
# code points of their blocks (tests/config/test_validators_format_characters.py compares
# them with the running Python's Unicode). Combining marks (category Mn), which Vietnamese
# written in decomposed form uses, are allowed. A single line also refuses line breaks
# (U+2028, U+2029 included); text of several lines may hold tab, line feed and carriage
# return (a browser sends a textarea's lines as CR LF).
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
# Characters that are letters or marks to Unicode but show as nothing, and code points no
# font draws (a name made of them looks empty, or like another name): Hangul fillers, the
# combining grapheme joiner, the blank braille pattern, variation selectors, Mongolian free
# variation selectors, Khmer inherent vowels, private use and noncharacters. Unassigned code
# points are refused too (``_unassigned``).
_BLANK = (
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ue000-\uf8ff\ufdd0-\ufdef"
    "\ufe00-\ufe0f\uffa0\ufffe\uffff\U000e0100-\U000e01ef\U000f0000-\U0010ffff"
)
_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_FORMAT}{_BLANK}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_FORMAT}{_BLANK}]")
# The invisible characters of one line, without the unassigned code points (which depend on
# the running Python's Unicode): a fixed class, which an OpenAPI pattern can state exactly.
ONE_LINE_INVISIBLE = _ONE_LINE

CONTROL_CHARACTER = _(
    "Contains the invisible character %(character)s at position %(position)s; control and "
    "text-direction characters are not allowed."
)
PORT_OUT_OF_RANGE = _("“%(value)s” has a port that is not a number from 1 to 65535.")


def forbidden_character(text: str, *, multi_line: bool = False) -> tuple[int, str] | None:
    """(1-based position, "U+XXXX") of the first character ``text`` may not hold, or None."""
    match = (_MULTI_LINE if multi_line else _ONE_LINE).search(text)
    unassigned = _unassigned(text, match.start() if match else len(text))
    if unassigned is not None:
        return unassigned + 1, f"U+{ord(text[unassigned]):04X}"
    if match is None:
        return None
    return match.start() + 1, f"U+{ord(match.group()):04X}"


def _unassigned(text: str, before: int) -> int | None:
    """Where the first code point Unicode has not assigned stands, before ``before``."""
    if text.isascii():
        return None
    for position, character in enumerate(text[:before]):
        if not character.isascii() and unicodedata.category(character) == "Cn":
            return position
    return None


def without_control_characters(text: str, *, multi_line: bool = False) -> str:
    """``text`` with each character it may not hold shown as U+FFFD, for text the program
    stores from elsewhere (an error message quoting a feed's address)."""
    return (_MULTI_LINE if multi_line else _ONE_LINE).sub("\ufffd", text)


def validate_one_line(value: str) -> None:
    """For names, codes, identifiers and links: one line of visible text."""
    _refuse(value, multi_line=False)


def validate_multi_line(value: str) -> None:
    """For notes and descriptions: lines of visible text."""
    _refuse(value, multi_line=True)


def _refuse(value: str, *, multi_line: bool) -> None:
    found = forbidden_character(value or "", multi_line=multi_line)
    if found is not None:
        raise ValidationError(
            CONTROL_CHARACTER,
            code="control_character",
            params={"position": found[0], "character": found[1]},
        )


def validate_link_port(value: str) -> None:
    """A link's port, when it has one, is a number from 1 to 65535 (URLValidator lets
    :99999 and :0 through, and Python's urlsplit() raises on the first)."""
    try:
        canonical.split_url(value or "")
    except canonical.InvalidIdentifier as exc:
        if exc.code == "url_port_invalid":
            raise ValidationError(
                PORT_OUT_OF_RANGE, code="port_out_of_range", params={"value": value}
            ) from exc
        # Any other fault of the link is URLValidator's to report.


def field_problems(error: ValidationError, model) -> str:
    """A ValidationError from ``full_clean()`` as one line naming each field, for the CLI and
    the services whose callers have no form to show errors beside the field."""
    parts = []
    for name, messages in error.message_dict.items():
        label = name if name == "__all__" else str(model._meta.get_field(name).verbose_name)
        where = "" if name == "__all__" else gettext("field “%(field)s”") % {"field": label}
        parts.extend(f"{where}: {message}" if where else message for message in messages)
    return "; ".join(parts)
