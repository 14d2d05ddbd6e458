"""False alarms of email analysis on corpora of legitimate mail: the share of messages answered
other than `unknown`, and the reasons behind each warning.

    python bench/mail_false_alarms.py DIR [DIR ...]     # one message per file, read recursively
    python bench/mail_false_alarms.py --show 5 DIR      # up to 5 example files per reason

Corpora are read where they lie and never committed: the SpamAssassin public corpus
(easy_ham, easy_ham_2: ordinary mail; hard_ham: marketing mail close to spam), for instance
from a checkout of a public repository that holds it, or CPython's Lib/test/test_email/data.
Goal (issue 10, C): no `impersonation` or `malicious`, under 0.2 % `suspicious` on ordinary
mail, under 10 % on hard marketing mail.

Engine: the default registry and the corpus blocklist, as bench/email_batch.py builds it.
"""

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chinhthong.verify.engine import Engine
from chinhthong.verify.index import RegistryIndex
from chinhthong.verify.mail import check_message
from chinhthong.verify.results import Verdict
from tests.verify.engines import corpus_blocklist, default_document

ALARMS = frozenset({Verdict.SUSPICIOUS, Verdict.IMPERSONATION, Verdict.MALICIOUS})
SKIPPED = frozenset({"cmds"})  # the SpamAssassin corpus's own index file


def alarms(result) -> set[tuple[Verdict, str]]:
    """(verdict, code) of every warning of a message and its parts."""
    found = {(r.verdict, r.code) for r in result.reasons}
    found |= {(r.verdict, r.code) for part in result.parts for r in part.reasons}
    return {item for item in found if item[0] in ALARMS}


def measure(engine: Engine, folder: Path, show: int) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in SKIPPED)
    verdicts: Counter = Counter()
    reasons: Counter = Counter()
    examples: dict = defaultdict(list)
    seconds = []
    for path in files:
        raw = path.read_bytes()
        start = time.perf_counter()
        result = check_message(engine, raw)
        seconds.append(time.perf_counter() - start)
        verdicts[result.verdict] += 1
        if result.verdict in ALARMS:
            for item in alarms(result):
                reasons[item] += 1
                examples[item].append(path.name)
    if not files:
        print(f"\n## {folder}: no messages")
        return
    seconds.sort()
    print(f"\n## {folder}: {len(files):,} messages, median {seconds[len(files) // 2] * 1e3:.2f} ms")
    print("\n| verdict | messages | share |\n|---|---:|---:|")
    for verdict in Verdict:
        count = verdicts[verdict]
        print(f"| {verdict} | {count:,} | {100 * count / len(files):.2f} % |")
    if reasons:
        print("\n| warning | reason | messages | examples |\n|---|---|---:|---|")
        for (verdict, code), count in reasons.most_common():
            shown = ", ".join(examples[(verdict, code)][:show])
            print(f"| {verdict} | `{code}` | {count:,} | {shown} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--show", type=int, default=3, help="example files per reason")
    args = parser.parse_args()
    engine = Engine(RegistryIndex.from_document(default_document()), corpus_blocklist())
    for folder in args.folders:
        measure(engine, folder, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
