"""What an import found and did: the problems, named by section, entry and field, and the
changes it made or would make."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    section: str = ""
    index: int | None = None
    key: str = ""
    field: str = ""
    message: str = ""

    def where(self) -> str:
        parts = []
        if self.section:
            entry = self.section if self.index is None else f"{self.section}[{self.index + 1}]"
            parts.append(f"{entry} «{self.key}»" if self.key else entry)
        if self.field:
            parts.append(_("field “%(field)s”") % {"field": self.field})
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Change:
    section: str
    key: str
    action: str  # "create", "update" or "unchanged"
    fields: tuple[str, ...] = ()


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        counts = defaultdict(int)
        for change in self.changes:
            counts[change.action] += 1
        return dict(counts)


class ImportRejected(Exception):
    def __init__(self, result: ImportResult):
        super().__init__("\n".join(str(p) for p in result.problems))
        self.result = result
