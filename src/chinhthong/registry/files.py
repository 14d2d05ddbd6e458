"""Registry files as bytes: at most schema.MAX_FILE_BYTES, UTF-8 (a byte-order mark accepted
in every format), YAML without anchors or aliases and JSON or YAML at most schema.MAX_DEPTH
deep — so that no file can take minutes, gigabytes or a RecursionError to read. Every
problem is an ImportRejected naming what is wrong."""

import codecs
import json
import re
from typing import NoReturn

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chinhthong.registry import schema
from chinhthong.registry.import_results import ImportRejected, ImportResult, Problem


def read_limited(stream) -> bytes:
    """At most one byte more than a registry file may hold, so that a larger file is refused
    by read_document() rather than read whole (a pipe may never end)."""
    return stream.read(schema.MAX_FILE_BYTES + 1)


def read_document(data: bytes, fmt: str) -> dict:
    """The document in the bytes of a file: at most schema.MAX_FILE_BYTES, UTF-8 with or
    without a byte-order mark; raises ImportRejected saying what is wrong."""
    if len(data) > schema.MAX_FILE_BYTES:
        _refuse(TOO_LARGE % {"mb": schema.MAX_FILE_BYTES // 2**20})
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            _refuse(
                _("The file is %(encoding)s text, not UTF-8; save it as UTF-8.")
                % {"encoding": encoding}
            )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _refuse(
            _("The file is not UTF-8 text: byte %(byte)s (counting from 1) is not valid.")
            % {"byte": exc.start + 1}
        )
    return parse(text, fmt)


def parse(text: str, fmt: str) -> dict:
    """The document in ``text`` (JSON or YAML, a leading byte-order mark ignored); raises
    ImportRejected on a syntax error, on YAML anchors and aliases, on nesting deeper than
    schema.MAX_DEPTH and on a text longer than a registry file may be."""
    if len(text) > schema.MAX_FILE_BYTES:  # characters: at least as many bytes
        _refuse(TOO_LARGE % {"mb": schema.MAX_FILE_BYTES // 2**20})
    text = text.removeprefix("\ufeff")
    try:
        data = _load_json(text) if fmt == "json" else _load_yaml(text)
    except _TooComplex as exc:
        _refuse(exc.message % {"line": exc.line, "max": schema.MAX_DEPTH})
    except (ValueError, yaml.YAMLError) as exc:  # JSONDecodeError is a ValueError
        mark = getattr(exc, "problem_mark", None)
        line = getattr(exc, "lineno", None) or (mark.line + 1 if mark else None)
        message = _("The file is not valid %(format)s (line %(line)s): %(detail)s") % {
            "format": fmt.upper(),
            "line": line or "?",
            "detail": getattr(exc, "problem", None) or exc,
        }
        raise ImportRejected(ImportResult(problems=[Problem(message=message)])) from exc
    if not isinstance(data, dict):
        message = _("The file must hold a mapping with the sections %(sections)s.") % {
            "sections": ", ".join(schema.SECTIONS)
        }
        raise ImportRejected(ImportResult(problems=[Problem(message=message)]))
    return data


def _refuse(message: str) -> NoReturn:
    raise ImportRejected(ImportResult(problems=[Problem(message=message)]))


# UTF-32 first: its little-endian mark begins with UTF-16's.
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
TOO_LARGE = gettext_lazy("The file is larger than %(mb)s MB, the most a registry file may hold.")
ALIASES = gettext_lazy(
    "Line %(line)s: anchors (&name) and aliases (*name) are not allowed in a registry file; "
    "write each value out in full."
)
TOO_DEEP = gettext_lazy(
    "Line %(line)s: the data is nested more than %(max)s levels deep, far deeper than a "
    "registry file needs."
)


class _TooComplex(Exception):
    def __init__(self, message, line: int):
        super().__init__(message)
        self.message, self.line = message, line


class _RegistryLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases, and with a depth limit. A registry
    file never needs an alias (exports write each value in full), and aliases are how a few
    hundred bytes expand to gigabytes ("billion laughs"); refusing the first anchor or alias
    met needs no expansion at all. The depth limit stops before the composer's recursion
    would hit Python's stack limit."""

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _TooComplex(ALIASES, event.start_mark.line + 1)
        if not isinstance(event, yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > schema.MAX_DEPTH:
                raise _TooComplex(TOO_DEEP, event.start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _load_yaml(text: str):
    return yaml.load(text, Loader=_RegistryLoader)  # noqa: S506 (a SafeLoader)


# A JSON string (skipped whole) or a bracket; strings cannot hold a raw line break.
_JSON_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[\[\]{}]')


def _load_json(text: str):
    """json.loads() once the nesting is known to stay within schema.MAX_DEPTH; the decoder
    recurses once per level and would raise RecursionError at some thousands."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > schema.MAX_DEPTH:
                raise _TooComplex(TOO_DEEP, text.count("\n", 0, token.start()) + 1)
        elif bracket in ("]", "}"):
            depth -= 1
    return json.loads(text)


def format_for(filename: str) -> str:
    lowered = filename.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    raise ImportRejected(
        ImportResult(problems=[Problem(message=_("Name the file .json, .yaml or .yml."))])
    )
