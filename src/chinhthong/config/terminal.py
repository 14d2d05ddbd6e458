"""What the CLI writes to a terminal. Stored data (channel and agency names, display names of
mail, blocklist sources, descriptions) may hold control characters: an ESC starts a command
(clear the screen, retitle the window), a bidi override reorders what the operator reads. Every
CLI output goes through this module, which shows them instead of obeying them: C0 and DEL as
Unicode control pictures (ESC is "␛"), C1 and bidi controls as ``\\x9b`` / ``\\u202e``. Newline
and tab survive only in text the CLI writes itself; a value from data is shown on one line
(``one_line``). The CLI's own colours are rich styles, applied after this, so they still work.
"""

import json
import re
import sys
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

# Bidi controls: ALM, LRM, RLM, LRE…RLO, LRI…PDI.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ANY_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_CONTROL_BUT_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
# What json.dumps(ensure_ascii=False) leaves raw: it escapes C0 itself.
_RAW_IN_JSON = re.compile(f"[\x7f-\x9f{_BIDI}]")


def _shown(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ␀ … ␛ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Text the CLI wrote, possibly holding data: every control character shown, except the
    newlines and tabs that lay it out."""
    return _CONTROL_BUT_LINES.sub(_shown, text)


def one_line(value: object) -> str:
    """A value from data, shown on one line: newlines and tabs shown too."""
    return _ANY_CONTROL.sub(_shown, str(value))


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps(…, ensure_ascii=False)``) with DEL, C1 and bidi controls
    written as ``\\uXXXX``: the same JSON value, nothing for a terminal to obey."""
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def json_line(data: object) -> str:
    return json_text(json.dumps(data, ensure_ascii=False)) + "\n"


def write(text: str) -> None:
    """Write text the CLI produced (a key, a PEM, JSON lines) to standard output, shown."""
    sys.stdout.write(visible(text))


def write_document(text: str) -> None:
    """Write a document meant for a file or a pipe (an export) to standard output: exactly as
    it is, unless standard output is a terminal, which gets it shown."""
    sys.stdout.write(visible(text) if sys.stdout.isatty() else text)


class TerminalConsole(Console):
    """A rich Console that shows control characters instead of sending them to the terminal.
    Strings are cleaned before markup is read, so markup, highlighting and widths stay right;
    anything rendered some other way (a ``Text`` built elsewhere) is cleaned segment by segment
    on its way out. Segments rich marks as control (its own cursor moves) pass untouched."""

    def render_str(self, text: str, **options) -> Text:
        return super().render_str(visible(text), **options)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not _CONTROL_BUT_LINES.search(segment.text):
                yield segment
            else:
                yield Segment(visible(segment.text), segment.style)


def console(*, stderr: bool = False, **options) -> TerminalConsole:
    """The console every CLI module prints through (``rich.console.Console`` options)."""
    return TerminalConsole(stderr=stderr, **options)


def file_error(path: object, error: OSError, *, writing: bool = False) -> None:
    """Say on standard error which file could not be read (or written) and why, on one line."""
    from django.utils.translation import gettext as _

    template = (
        _("Cannot write the file %(file)s: %(error)s")
        if writing
        else _("Cannot read the file %(file)s: %(error)s")
    )
    console(stderr=True).print(
        template % {"file": one_line(path), "error": error.strerror or error},
        markup=False,
        soft_wrap=True,  # a path broken over lines cannot be copied
    )
