"""The labelled quality corpus: every case answers as labelled."""

from collections import Counter

import pytest

from chinhthong.verify.evaluation import evaluate, load_cases
from tests.verify.engines import CORPUS, corpus_engine, legit_domains

CASES = load_cases(CORPUS / "cases.jsonl")


def test_corpus_is_large_and_covers_every_verdict():
    counts = Counter(case.expected for case in CASES)
    assert len(CASES) >= 300
    assert set(counts) == {"official", "impersonation", "malicious", "suspicious", "unknown"}
    assert len({case.technique for case in CASES if case.expected == "impersonation"}) >= 10


@pytest.mark.parametrize("case", CASES, ids=[f"L{c.line}-{c.technique}" for c in CASES])
def test_case(case):
    outcome = evaluate(corpus_engine(), [case]).outcomes[0]
    assert outcome.ok, (
        f"{case.input!r}: expected {case.expected} {case.lookalike_of or case.channel or ''}, "
        f"got {outcome.verdict} {outcome.lookalike_of or outcome.channel or ''}"
    )


@pytest.mark.parametrize("domain", legit_domains())
def test_no_legitimate_domain_is_called_impersonation(domain):
    engine = corpus_engine()
    for text in (domain, f"https://{domain}/tin-tuc/bai-viet-123.html", f"lienhe@{domain}"):
        assert engine.check(text).verdict != "impersonation", text
