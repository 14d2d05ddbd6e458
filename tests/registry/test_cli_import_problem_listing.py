"""`chinhthong registry import` of a file with hundreds of thousands of problems (300,000 unknown
keys): the terminal gets the first ones and a line saying how many more, not a line each."""

import json

from django.utils.formats import number_format
from django.utils.translation import ngettext
from typer.testing import CliRunner

from chinhthong.config import cli
from chinhthong.registry import cli as registry_cli
from chinhthong.registry.models import Agency

cli._mount()
runner = CliRunner()

KEYS = 300_000


def _import(path):
    return runner.invoke(cli.app, ["registry", "import", str(path)], catch_exceptions=False)


def _more(count: int) -> str:
    line = ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", count)
    return line % {"count": number_format(count, force_grouping=True)}


def test_300000_unknown_keys_print_the_first_problems_and_how_many_more(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({f"k{i}": 1 for i in range(KEYS)}), encoding="utf-8")
    result = _import(bad)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    shown = registry_cli.MAX_PROBLEMS_SHOWN
    assert shown <= 100
    problems = [line for line in lines if line.startswith("  • ")]
    assert len(problems) == shown
    assert problems[0].startswith("  • ") and "k0" in problems[0]
    more = KEYS - shown
    assert lines[-1].strip() == _more(more)
    assert "299.950" in lines[-1]  # grouped as Vietnamese writes numbers
    assert len(lines) <= shown + 3
    assert "300.000" in lines[0]  # the headline still counts them all
    assert not Agency.objects.exists()


def test_a_few_problems_are_all_listed_without_a_summary_line(db, tmp_path):
    shown = registry_cli.MAX_PROBLEMS_SHOWN
    for keys in (3, shown):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({f"k{i}": 1 for i in range(keys)}), encoding="utf-8")
        result = _import(bad)
        assert result.exit_code == 1
        problems = [line for line in result.stderr.splitlines() if line.startswith("  • ")]
        assert len(problems) == keys
        assert "…" not in result.stderr


def test_one_more_problem_than_shown_is_summed_up(db, tmp_path):
    shown = registry_cli.MAX_PROBLEMS_SHOWN
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({f"k{i}": 1 for i in range(shown + 1)}), encoding="utf-8")
    result = _import(bad)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].strip() == _more(1)
