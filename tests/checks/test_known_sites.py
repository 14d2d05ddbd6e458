"""Known legitimate sites: the editors' answer to a wrong look-alike verdict. The site's own
name is no longer compared with official names; names made up below it still are."""

import pytest
from typer.testing import CliRunner

from chinhthong.checks import engines
from chinhthong.checks.models import KnownSite
from chinhthong.config import cli
from chinhthong.verify.engine import Engine
from chinhthong.verify.results import Verdict
from tests.verify.engines import engine_with

cli._mount()

HA_GIANG = {
    "slug": "web-bao-ha-giang",
    "agency": "ubnd-tinh-quang-ninh",
    "kind": "website",
    "name": "Báo Hà Giang",
    "url": "https://baohagiang.com.vn/",
    "host": "baohagiang.com.vn",
    "status": "active",
}


@pytest.fixture(autouse=True)
def _fresh_engine(monkeypatch):
    # Every check asks whether the registry or the lists changed (normally every 5 s).
    monkeypatch.setattr(engines, "REFRESH_SECONDS", 0)
    engines.reset()
    yield
    engines.reset()


def _engine(known: dict[str, str]) -> Engine:
    return engine_with([HA_GIANG], known)


@pytest.mark.parametrize(
    ("text", "without", "with_known"),
    [
        ("https://baohaugiang.com.vn/tin-tuc", Verdict.IMPERSONATION, Verdict.UNKNOWN),
        ("www.baohaugiang.com.vn", Verdict.IMPERSONATION, Verdict.UNKNOWN),
        # Below a known site, a name made up to look official is still an imitation …
        (
            "https://baohagiang-gov.baohaugiang.com.vn/",
            Verdict.IMPERSONATION,
            Verdict.IMPERSONATION,
        ),
        (
            "https://quangninh.gov.vn.baohaugiang.com.vn/",
            Verdict.IMPERSONATION,
            Verdict.IMPERSONATION,
        ),
        # … and the official site stays official.
        ("https://baohagiang.com.vn/", Verdict.OFFICIAL, Verdict.OFFICIAL),
    ],
)
def test_a_known_site_is_not_called_an_imitation(text, without, with_known):
    assert _engine({}).check(text).verdict is without
    result = _engine({"baohaugiang.com.vn": "Báo Hậu Giang"}).check(text)
    assert result.verdict is with_known
    if with_known is Verdict.UNKNOWN:
        assert [r.code for r in result.reasons] == ["known_site"]
        assert result.reasons[0].params_dict["name"] == "Báo Hậu Giang"


def test_mail_from_a_known_site_is_not_a_lookalike_sender():
    known = _engine({"baohaugiang.com.vn": "Báo Hậu Giang"})
    assert _engine({}).check("toasoan@baohaugiang.com.vn").verdict is Verdict.IMPERSONATION
    sender = known.check("toasoan@baohaugiang.com.vn")
    assert sender.verdict is Verdict.UNKNOWN
    assert [r.code for r in sender.reasons] == ["known_site", "address_not_registered"]
    # An official name shown over its address is still an imitation.
    shown = known.check("Báo Hà Giang <toasoan@baohaugiang.com.vn>")
    assert shown.verdict is Verdict.IMPERSONATION
    assert [r.code for r in shown.reasons] == ["known_site", "display_name"]


def check(client, text: str) -> dict:
    response = client.post("/api/v1/check", {"input": text}, content_type="application/json")
    assert response.status_code == 200
    return response.json()


def test_an_editor_marks_a_site_in_the_back_office(client, default_registry, editor):
    assert check(client, "https://quangninh-online.vn/")["verdict"] == "impersonation"
    client.force_login(editor)
    response = client.post(
        "/quan-tri/checks/knownsite/add/",
        {
            "domain": "https://www.quangninh-online.vn/gioi-thieu",
            "name": "Công ty Du lịch Quảng Ninh Online",
            "note": "Doanh nghiệp đã xác minh qua Sở Du lịch.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert KnownSite.objects.get().domain == "quangninh-online.vn"
    answer = check(client, "https://quangninh-online.vn/tour")
    assert answer["verdict"] == "unknown" and answer["lookalike_of"] is None
    assert answer["reasons"][0]["code"] == "known_site"
    assert "Công ty Du lịch Quảng Ninh Online" in answer["reasons"][0]["message"]
    # Deleting the entry brings the look-alike verdict back on every process.
    site = KnownSite.objects.get()
    client.post(f"/quan-tri/checks/knownsite/{site.pk}/delete/", {"post": "yes"})
    assert check(client, "https://quangninh-online.vn/tour")["verdict"] == "impersonation"


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("quangninh.gov.vn", "kênh chính thống"),
        ("congchuc.quangninh.gov.vn", "kênh chính thống"),
        ("com.vn", "hậu tố"),
        ("not a domain", "không phải tên miền"),
        ("http://203.0.113.5/", "không phải tên miền"),
    ],
)
def test_what_cannot_be_a_known_site(client, default_registry, editor, domain, message):
    client.force_login(editor)
    response = client.post(
        "/quan-tri/checks/knownsite/add/", {"domain": domain, "name": "Ai đó", "note": ""}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not KnownSite.objects.exists()


def test_the_cli_adds_lists_and_removes(default_registry):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli.app, list(args), catch_exceptions=False)

    added = run("knownsite", "add", "QuangNinh-Online.vn", "--name", "Quảng Ninh Online")
    assert added.exit_code == 0, added.output
    assert "quangninh-online.vn" in run("knownsite", "list").stdout
    assert run("check", "quangninh-online.vn").exit_code == 0
    assert "known_site" in run("check", "--json", "quangninh-online.vn").stdout
    refused = run("knownsite", "add", "quangninh.gov.vn", "--name", "x")
    assert refused.exit_code == 2 and "kênh chính thống" in refused.output
    assert run("knownsite", "remove", "quangninh-online.vn").exit_code == 0
    assert run("knownsite", "remove", "quangninh-online.vn").exit_code == 1
    assert '"impersonation"' in run("check", "--json", "quangninh-online.vn").stdout
