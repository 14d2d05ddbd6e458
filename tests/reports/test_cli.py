"""`chinhthong reports verify-custody` and `list`: a chain that holds exits 0, one that was
tampered with exits 1 naming the entry, an unknown case exits 2."""

import pytest
from typer.testing import CliRunner

from chinhthong.config import cli
from chinhthong.reports.models import CustodyEntry

from .helpers import report

cli._mount()
pytestmark = pytest.mark.django_db
runner = CliRunner()


def _run(*args):
    return runner.invoke(cli.app, ["reports", *args], catch_exceptions=False)


def test_verify_custody_says_whether_the_chain_holds(default_registry):
    case = report().case
    other = report(links=["https://x.com/a/status/5"], claim="Một tin đồn khác về giá vàng").case
    held = _run("verify-custody", case.number.lower())
    assert held.exit_code == 0 and case.number in held.stdout
    CustodyEntry.objects.filter(case=case, seq=2).update(actor="user:99:ke-gian")
    broken = _run("verify-custody", case.number)
    assert broken.exit_code == 1 and "2" in broken.stderr
    every = _run("verify-custody", "--all")
    assert every.exit_code == 1 and other.number in every.stdout
    assert _run("verify-custody", "VV-1999-00001").exit_code == 2
    assert _run("verify-custody").exit_code == 2


def test_list_shows_cases_newest_first(default_registry):
    first = report().case
    second = report(links=["https://x.com/a/status/6"], claim="Tin đồn mất điện diện rộng").case
    listed = _run("list")
    assert listed.stdout.index(second.number) < listed.stdout.index(first.number)
    assert _run("list", "--state", "nonsense").exit_code == 2
