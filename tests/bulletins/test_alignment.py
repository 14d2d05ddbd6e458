"""The alignment of a forward with a bulletin (bulletins/alignment.py): within its budget, the
runs of words difflib finds; past it, the coarse way, which still finds a lightly altered
text's runs and says it was used."""

import difflib
import random

from chinhthong.bulletins import alignment


def _difflib_runs(old: list[str], new: list[str], min_run: int) -> list[tuple[int, int, int]]:
    """What the check did before: difflib over the words, runs shorter than min_run dropped."""
    matcher = difflib.SequenceMatcher(None, old, new, False)
    return [tuple(b) for b in matcher.get_matching_blocks() if b.size >= min_run]


def test_within_its_budget_it_finds_the_runs_difflib_finds():
    rng = random.Random(1)
    for _ in range(3000):
        alphabet = "abcdefgh"[: rng.randint(1, 8)]
        old = [rng.choice(alphabet) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.5:
            new = [rng.choice(alphabet) for _ in range(rng.randint(0, 40))]
        else:  # an edited copy
            new = list(old)
            for _ in range(rng.randint(0, 6)):
                at = rng.randint(0, len(new))
                new[at:at] = rng.choice(alphabet) * rng.randint(1, 3)
                if new and rng.random() < 0.5:
                    del new[rng.randrange(len(new))]
        min_run = rng.choice([1, 2, 3, 3, 4])
        work = alignment.Work(10**9)
        found, coarse = alignment.blocks(old, new, min_run, work)
        assert not coarse
        assert found == _difflib_runs(old, new, min_run), (old, new, min_run)


def test_past_its_budget_the_coarse_way_finds_an_altered_texts_runs():
    rng = random.Random(2)
    old = [f"w{rng.randrange(400)}" for _ in range(3000)]
    new = list(old[200:2800])
    for at in range(50, len(new), 97):  # a word altered every 97
        new[at] = "khac"
    new[1000:1000] = ["them", "vao"]
    exact = alignment.blocks(old, new, 3, alignment.Work(10**9))
    coarse = alignment.blocks(old, new, 3, alignment.Work(0))
    assert exact[1] is False and coarse[1] is True
    assert coarse[0] == exact[0]
    codes, shortened = alignment.opcodes(old, new, 3, alignment.Work(0))
    assert shortened
    assert codes[0] == ("delete", 0, 200, 0, 0) and codes[-1][0] == "delete"


def test_a_word_repeated_thousands_of_times_costs_no_more_than_its_length():
    old = " ".join(["người dân", "và", "cơ quan"] * 3000).split()
    new = ["người"] * 6000 + ["và"] * 4000
    work = alignment.Work(150_000)
    found, coarse = alignment.blocks(old, new, 3, work)
    assert found == [] and not coarse
    # No gram of the one is in the other: nothing to compare, beyond reading them.
    assert work.exact == 0 and work.words == len(old) + len(new) - 4
