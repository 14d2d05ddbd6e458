"""The API's JSON answers: services.as_json gives the bytes of as_dict, also when the part an
answer shares with other links on its host comes from the kept copy."""

import orjson
import pytest
from django.utils import translation

from chinhthong.checks import services
from chinhthong.verify.evaluation import load_cases
from tests.verify.engines import CORPUS, corpus_engine

INPUTS = [case.input for case in load_cases(CORPUS / "cases.jsonl")]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_corpus_answer_is_the_json_of_as_dict(language):
    engine = corpus_engine()
    with translation.override(language):
        for _ in range(2):  # the second pass answers from the kept parts
            for text in INPUTS:
                result = engine.check(text)
                expected = orjson.dumps(services.as_dict(result, language))
                assert services.as_json(result, language) == expected, text


def test_links_on_one_host_share_the_verdict_but_keep_their_own_input():
    engine = corpus_engine()
    first, second = (
        orjson.loads(services.as_json(engine.check(f"https://quangninh-gov.vn/{path}"), "vi"))
        for path in ("tra-cuu", "nop-phat?ma=1")
    )
    assert first["input"] == "https://quangninh-gov.vn/tra-cuu"
    assert second["input"] == "https://quangninh-gov.vn/nop-phat?ma=1"
    assert first["verdict"] == second["verdict"] == "impersonation"
    assert first["reasons"] == second["reasons"]


def test_the_kept_parts_follow_the_language():
    engine = corpus_engine()
    result = engine.check("https://quangninh-gov.vn/")
    with translation.override("vi"):
        vietnamese = orjson.loads(services.as_json(result, "vi"))["reasons"][0]["message"]
    with translation.override("en"):
        english = orjson.loads(services.as_json(result, "en"))["reasons"][0]["message"]
    assert vietnamese != english
    assert "giả mạo" in vietnamese or "chính thống" in vietnamese


def test_answers_that_differ_per_link_are_not_kept():
    # A redirect's reason carries its whole target: kept, every distinct link would stay in
    # memory. They are encoded each time, and still give the bytes of as_dict.
    engine = corpus_engine()
    before = len(services._tails)
    for number in range(50):
        target = f"https%3A%2F%2Fexample.com%2F{number}{'x' * 3000}"
        result = engine.check(f"https://l.facebook.com/l.php?u={target}")
        assert services.as_json(result, "vi") == orjson.dumps(services.as_dict(result, "vi"))
    assert len(services._tails) <= before + 1


def test_a_reason_is_rendered_in_the_language_asked_for_not_the_one_active():
    """Bulletins and reminders render for one recipient after another: an English answer
    asked for while Vietnamese is active is English, and stays so for the next caller."""
    engine = corpus_engine()
    result = engine.check("https://quangninh-gov-thu-ngon-ngu.top/")
    with translation.override("vi"):
        english = services.as_dict(result, "en")["reasons"][0]["message"]
        vietnamese = services.as_dict(result, "vi")["reasons"][0]["message"]
    with translation.override("en"):
        assert services.as_dict(result, "vi")["reasons"][0]["message"] == vietnamese
        assert services.as_dict(result, "en")["reasons"][0]["message"] == english
    assert english != vietnamese
    assert "official" in english and "chính thống" in vietnamese
