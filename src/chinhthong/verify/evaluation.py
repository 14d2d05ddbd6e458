"""Measuring the engine against a labelled corpus: accuracy per verdict and a confusion
table. Used by `chinhthong verify-eval` and by the tests."""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from chinhthong.verify.results import Verdict

VERDICTS = [v.value for v in Verdict]


@dataclass
class Case:
    line: int
    input: str
    kind: str
    expected: str
    channel: str | None = None
    lookalike_of: str | None = None
    technique: str = ""


@dataclass
class Outcome:
    case: Case
    verdict: str
    channel: str | None
    lookalike_of: str | None

    @property
    def ok(self) -> bool:
        case = self.case
        return (
            self.verdict == case.expected
            and (case.channel is None or case.channel == self.channel)
            and (case.lookalike_of is None or case.lookalike_of == self.lookalike_of)
        )


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def confusion(self) -> dict[str, Counter]:
        table: dict[str, Counter] = defaultdict(Counter)
        for outcome in self.outcomes:
            table[outcome.case.expected][outcome.verdict] += 1
        return table

    def accuracy(self) -> dict[str, tuple[int, int]]:
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            per[outcome.case.expected][1] += 1
            per[outcome.case.expected][0] += outcome.ok
        return {verdict: (ok, total) for verdict, (ok, total) in per.items()}

    def render(self) -> str:
        # A case is correct when the verdict and the channel it names both are; the confusion
        # table below counts verdicts alone, so it may show more on its diagonal.
        lines = ["expected        correct / total  (verdict and channel)"]
        for verdict in VERDICTS:
            ok, total = self.accuracy().get(verdict, (0, 0))
            if total:
                lines.append(f"{verdict:15} {ok:7} / {total:<5} {100 * ok / total:6.1f}%")
        total = len(self.outcomes)
        correct = total - len(self.failures)
        lines.append(f"{'all':15} {correct:7} / {total:<5} {100 * correct / max(total, 1):6.1f}%")
        lines.append("")
        lines.append("confusion of verdicts alone (rows: expected, columns: answered)")
        lines.append(" " * 15 + "".join(f"{v[:13]:>14}" for v in VERDICTS))
        confusion = self.confusion()
        for expected in VERDICTS:
            if expected in confusion:
                lines.append(
                    f"{expected:15}" + "".join(f"{confusion[expected][v]:14}" for v in VERDICTS)
                )
        return "\n".join(lines)


def load_cases(path: Path) -> list[Case]:
    """Cases from a JSONL file; raises ValueError naming the line of a bad one."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            case = Case(
                number,
                data["input"],
                data.get("kind", "auto"),
                data["expected"],
                data.get("channel"),
                data.get("lookalike_of"),
                data.get("technique", ""),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"line {number}: {exc}") from exc
        if case.expected not in VERDICTS:
            raise ValueError(f"line {number}: unknown verdict {case.expected!r}")
        cases.append(case)
    return cases


def evaluate(engine, cases: list[Case]) -> Report:
    report = Report()
    for case in cases:
        result = engine.check(case.input, case.kind)
        report.outcomes.append(
            Outcome(
                case,
                str(result.verdict),
                result.channel.slug if result.channel else None,
                result.lookalike_of.slug if result.lookalike_of else None,
            )
        )
    return report
