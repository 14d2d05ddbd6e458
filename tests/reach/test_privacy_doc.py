"""docs/privacy.md says what the code does: every kind of event it names is one the code keeps,
the retention it states is the setting's default and is scheduled, the page where a person
sees their data exists; and a visit brought by a share keeps nothing about the visitor."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve

from chinhthong.config import schedule
from chinhthong.reach.models import EventKind, ReachEvent
from tests.reach.factories import make_staff, make_tree, publish_bulletin

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_vietnamese_first_then_english(doc):
    vietnamese, english = doc.index("## Tiếng Việt"), doc.index("## English")
    assert vietnamese < english
    for part in (doc[vietnamese:english], doc[english:]):
        assert "13/2023/NĐ-CP" in part
        assert "365/UBND-VHTT" in part
        assert "GOV.UK Notify" in part


def test_every_kind_of_event_is_documented(doc):
    rows = " ".join(line for line in doc.splitlines() if "ReachEvent` loại" in line)
    assert set(re.findall(r"`([a-z_]+)`", rows)) == set(EventKind.values)


def test_the_stated_retention_is_the_default_and_runs_every_day(doc):
    assert settings.REACH_RETENTION_DAYS == 400
    assert "`CHINHTHONG_REACH_RETENTION_DAYS`" in doc
    assert "mặc định **400 ngày**" in doc and "default **400 days**" in doc
    task = "chinhthong.reach.tasks.prune_reach_records"
    assert f"`{task}`" in doc
    assert (86400, task) in schedule.PERIODIC


def test_the_page_of_ones_own_data_is_where_the_doc_says(doc):
    path = re.search(r"\(`(/cong-chuc/[^`]+)`\)", doc).group(1)
    assert resolve(path).url_name == "my-data"


@pytest.mark.django_db
def test_a_visit_brought_by_a_share_keeps_nothing_about_the_visitor():
    tree = make_tree()
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    bulletin = publish_bulletin()
    visitor = Client(
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Trinh-duyet-nguoi-dan/1.0",
        REMOTE_ADDR="203.0.113.77",
        HTTP_REFERER="https://zalo.me/nhom-gia-dinh",
    )
    answer = visitor.get(f"/ban-tin/{bulletin.slug}/?s={an.share_code}")
    assert answer.status_code == 302 and "s=" not in urlsplit(answer["Location"]).query
    visit = ReachEvent.objects.get(kind=EventKind.SHARE_VISIT)
    assert (visit.staff, visit.bulletin) == (an, bulletin)
    stored = " ".join(str(v) for v in ReachEvent.objects.values().get().values())
    for trace in ("203.0.113.77", "Trinh-duyet", "zalo.me"):
        assert trace not in stored
    assert visitor.get(f"/ban-tin/{bulletin.slug}/?s=ma-khong-co").status_code == 302
    assert ReachEvent.objects.count() == 1
