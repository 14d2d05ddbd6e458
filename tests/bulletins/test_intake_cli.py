"""`chinhthong bulletins feeds add|poll|queue`, against a feed on loopback."""

import pytest
from typer.testing import CliRunner

from chinhthong.bulletins.models import FeedItem, FeedSource
from chinhthong.config import cli
from tests.bulletins.intake_helpers import CONGCHUC, ELSEWHERE, IntakeEnv, rss

cli._mount()
runner = CliRunner()


@pytest.fixture
def env(db, monkeypatch, settings):
    with IntakeEnv(monkeypatch, settings) as running:
        yield running


def _run(*args: str):
    return runner.invoke(cli.app, ["bulletins", "feeds", *args], catch_exceptions=False)


def test_add_poll_and_queue(env):
    env.server.route("/rss.xml", body=rss(("Tin một", f"https://{CONGCHUC}/tin/1", "Một")))
    added = _run("add", "web-congchuc", env.url("/rss.xml"), "--every", "15")
    assert added.exit_code == 0, added.output
    assert f"{env.url('/rss.xml')} sẽ được lấy tin mỗi 15 phút." in added.output
    assert FeedSource.objects.get().every_minutes == 15

    polled = _run("poll")
    assert polled.exit_code == 0 and "1 mới, 0 đã có" in polled.output
    assert _run("poll").output.strip() == "Chưa đến lượt lấy tin của nguồn nào."
    forced = _run("poll", "--all")
    assert forced.exit_code == 0 and "0 mới, 1 đã có" in forced.output

    queued = _run("queue")
    assert "Tin một" in queued.output and "Cổng thông tin công chức" in queued.output
    assert "1 tin đang chờ xét duyệt" in queued.output


def test_refusals_exit_2_and_failures_exit_1(env):
    refused = _run("add", "web-congchuc", f"https://{ELSEWHERE}/rss.xml")
    assert refused.exit_code == 2 and "không thuộc tên miền của kênh" in refused.output
    unknown_kind = _run("add", "web-congchuc", env.url("/rss.xml"), "--kind", "zalo")
    assert unknown_kind.exit_code == 2
    assert not FeedSource.objects.exists()

    env.server.route("/rss.xml", status=404)
    assert _run("add", "web-congchuc", env.url("/rss.xml")).exit_code == 0
    failed = _run("poll")
    assert failed.exit_code == 1 and "Máy chủ trả lời HTTP 404." in failed.output
    assert not FeedItem.objects.exists()
    assert _run("queue").output.strip() == "Không có tin nào chờ xét duyệt."
