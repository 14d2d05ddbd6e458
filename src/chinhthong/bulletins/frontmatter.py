"""A bulletin written as a file, for `chinhthong bulletins publish FILE.md`: YAML front matter
between two lines "---", then the body in Markdown.

    ---
    title: Cảnh báo lừa đảo qua tin nhắn
    summary: Không bấm vào đường link lạ.
    urgency: khẩn            # or: bình thường (normal, urgent)
    audience: tỉnh           # or a list of unit codes: [CP, HL]
    tags: [lừa đảo, an ninh mạng]
    sources:
      - title: Công an tỉnh Quảng Ninh
        url: https://congan.quangninh.gov.vn/
    attachments: [ban-do.png]  # files beside this one; the body names them: ![Bản đồ](ban-do.png)
    ---
    Nội dung…

Every problem is reported at once, each naming its field and the line it is on. The YAML is
read without anchors or aliases (a few bytes of them can expand to gigabytes).
"""

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from chinhthong.bulletins import services
from chinhthong.bulletins.models import Urgency
from chinhthong.config.refusals import Refused

MAX_FILE_BYTES = 1024 * 1024
FIELDS = ("title", "summary", "urgency", "audience", "tags", "sources", "attachments")
URGENCY = {
    "normal": Urgency.NORMAL,
    "bình thường": Urgency.NORMAL,
    "thường": Urgency.NORMAL,
    "urgent": Urgency.URGENT,
    "khẩn": Urgency.URGENT,
    "khẩn cấp": Urgency.URGENT,
}
WHOLE_PROVINCE = {"tỉnh", "toàn tỉnh", "province"}


class FrontMatterRefused(Refused):
    """The file's problems, one a line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems), code="front_matter")
        self.problems = problems


@dataclass
class Document:
    values: dict
    lines: dict[str, int]  # field -> its line in the file
    body: str
    body_line: int = 1  # the file's line the body starts on
    found: list[tuple[int, str]] = field(default_factory=list)  # (line, problem)

    def problem(self, name: str, message: str) -> None:
        line = self.lines.get(name, 1)
        text = _("Line %(line)s, field “%(field)s”: %(problem)s")
        self.found.append((line, text % {"line": line, "field": name, "problem": message}))

    def refuse_if_any(self) -> None:
        """Raise FrontMatterRefused with every problem, in the order of their lines."""
        if self.found:
            ordered = sorted(self.found, key=lambda item: item[0])
            raise FrontMatterRefused([message for _line, message in ordered])


@dataclass
class Written:
    """What the file says, ready for the services: the draft and the files it attaches."""

    draft: services.Draft
    attachments: list[Path]


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                problem=_("anchors (&name) and aliases (*name) are not allowed"),
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)


def read(data: bytes) -> Document:
    """The front matter and body of a file's bytes; raises FrontMatterRefused."""
    if len(data) > MAX_FILE_BYTES:
        raise FrontMatterRefused(
            [_("The file is larger than %(kb)s KB.") % {"kb": MAX_FILE_BYTES // 1024}]
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FrontMatterRefused(
            [_("Line %(line)s: the file is not UTF-8 text.") % {"line": line}]
        ) from exc
    lines = text.split("\n")
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), 0)
    if lines[0].rstrip() != "---" or not end:
        raise FrontMatterRefused(
            [
                _(
                    "Line 1: the file must start with its front matter (title, urgency, "
                    "audience…) between two lines “---”."
                )
            ]
        )
    values, where = _mapping("\n".join(lines[1:end]))
    rest = lines[end + 1 :]
    blank = next((i for i, line in enumerate(rest) if line.strip()), 0)
    body = "\n".join(rest).strip("\n")
    document = Document(values=values, lines=where, body=body, body_line=end + 2 + blank)
    for name in values:
        if name not in FIELDS:
            document.problem(
                name, _("unknown field; the fields are %(fields)s.") % {"fields": ", ".join(FIELDS)}
            )
    if not body.strip():
        message = _("Line %(line)s: the body (after the front matter) is empty.")
        document.found.append((end + 2, message % {"line": end + 2}))
    return document


def _mapping(text: str) -> tuple[dict, dict[str, int]]:
    """The front matter's fields and the line of each (the front matter starts on line 2)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        values = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FrontMatterRefused(
            [
                _("Line %(line)s: the front matter is not valid YAML: %(detail)s")
                % {
                    "line": mark.line + 2 if mark else 2,
                    "detail": getattr(exc, "problem", None) or exc,
                }
            ]
        ) from exc
    except RecursionError as exc:
        raise FrontMatterRefused([_("The front matter is nested too deeply.")]) from exc
    finally:
        loader.dispose()
    if not isinstance(values, dict):
        raise FrontMatterRefused(
            [_("Line 2: the front matter must be fields, one a line (title: …).")]
        )
    lines = {str(key.value): key.start_mark.line + 2 for key, _value in node.value}
    return {str(key): value for key, value in values.items()}, lines


# --- from fields to a draft --------------------------------------------------------------------
def _text(document: Document, name: str, *, required: bool = False) -> str:
    value = document.values.get(name)
    if value is None:
        if required:
            message = _("Line 1: the front matter has no field “%(field)s”.")
            document.found.append((1, message % {"field": name}))
        return ""
    if isinstance(value, list | dict):
        document.problem(name, _("must be text, not a list."))
        return ""
    text = str(value).strip()
    if required and not text:
        document.problem(name, _("is empty."))
    return text


def _urgency(document: Document) -> str:
    value = document.values.get("urgency")
    if value is None:
        return Urgency.NORMAL
    word = unicodedata.normalize("NFC", str(value)).strip().lower()
    if word not in URGENCY:
        document.problem("urgency", _("write “bình thường” or “khẩn” (normal, urgent)."))
        return Urgency.NORMAL
    return URGENCY[word]


def _audience(document: Document) -> tuple[bool, list]:
    from chinhthong.reach.models import Unit

    value = document.values.get("audience", "tỉnh")
    if isinstance(value, str):
        if unicodedata.normalize("NFC", value).strip().lower() in WHOLE_PROVINCE:
            return True, []
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        document.problem("audience", _("write “tỉnh” or a list of unit codes."))
        return True, []
    codes = [code.strip() for code in value]
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in units]
    if unknown:
        document.problem(
            "audience", _("no unit has the code %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return False, [units[code] for code in codes if code in units]


def _list(document: Document, name: str) -> list:
    value = document.values.get(name)
    if value is None:
        return []
    if name == "tags" and isinstance(value, str):
        return value.split(",")
    if not isinstance(value, list):
        document.problem(name, _("must be a list."))
        return []
    return value


def _checked(document: Document, name: str, check, value):
    try:
        return check(value)
    except Refused as exc:
        document.problem(name, exc.message)
        return []


def written(document: Document, folder: Path) -> Written:
    """The draft and the files to attach; raises FrontMatterRefused with every problem."""
    whole_province, units = _audience(document)
    draft = services.Draft(
        title=_text(document, "title", required=True),
        summary=_text(document, "summary"),
        body_markdown=document.body,
        urgency=_urgency(document),
        whole_province=whole_province,
        units=units,
        tags=_checked(document, "tags", services.normalise_tags, _list(document, "tags")),
        sources=_checked(document, "sources", services.clean_sources, _list(document, "sources")),
    )
    _body_problems(document)
    files = []
    for item in _list(document, "attachments"):
        path = folder / str(item)
        if not isinstance(item, str) or not path.is_file():
            document.problem("attachments", _("no file “%(file)s”.") % {"file": str(item)[:200]})
        else:
            files.append(path)
    document.refuse_if_any()
    return Written(draft=draft, attachments=files)


def _body_problems(document: Document) -> None:
    """Pictures from other sites, at the lines of the body that load them, told together with
    the front matter's problems (files the body names are checked once attached)."""
    message = _(
        "Line %(line)s: the image “%(src)s” is not one of the bulletin's attached files; "
        "attach the picture and write its file name instead."
    )
    for src in services.render_body(None, document.body).external:
        offset = max(document.body.find(src), 0)
        line = document.body_line + document.body[:offset].count("\n")
        document.found.append((line, message % {"line": line, "src": src[:100]}))


def unchanged_after_publishing(document: Document, bulletin, draft: services.Draft) -> None:
    """A correction's file may repeat who the bulletin is for, its urgency and topics, but not
    change them: those went out with the first version. Raises FrontMatterRefused."""
    units = {unit.pk for unit in bulletin.audience.all()}
    changed = {
        "urgency": draft.urgency != bulletin.urgency,
        "audience": draft.whole_province != bulletin.whole_province
        or (not draft.whole_province and {u.pk for u in draft.units} != units),
        "tags": set(draft.tags) != set(bulletin.tags),
    }
    for name, differs in changed.items():
        if name in document.values and differs:
            document.problem(name, _("cannot change once the bulletin is published."))
    document.refuse_if_any()
