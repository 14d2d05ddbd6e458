"""The handlers' figures: counts by state, verdict and platform, reports per week, the median
time to a decision, and the cases as CSV and XLSX rows without any reporter's data."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.reports import handling, statistics
from chinhthong.reports.models import Verdict
from tests.conftest import PASSWORD

from .helpers import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(db):
    return accounts.create_user("xuly", PASSWORD, role=roles.REPORT_HANDLER)


@pytest.fixture
def cases(default_registry, handler):
    fake = report(contact_email="bimat@example.vn").case
    report(links=["https://tiktok.com/@b/video/9"], claim="Video cắt ghép phát biểu lãnh đạo")
    handling.decide(fake, actor=handler, verdict=Verdict.FABRICATED, finding="Sở xác nhận.")
    return fake


def test_the_figures_count_cases_and_decisions(cases):
    figures = statistics.figures()
    assert figures.total == 2 and figures.decided == 1
    assert dict(figures.by_platform) == {"Facebook": 1, "TikTok": 1}
    assert sum(n for _week, n in figures.by_week) == 2
    assert figures.median_hours_to_decision is not None


def test_the_page_and_exports(client, cases, handler):
    client.force_login(handler)
    page = client.get(reverse("reports:statistics"))
    assert page.status_code == 200 and b"<svg" in page.content
    csv = client.get(reverse("reports:export", args=["csv"])).content.decode("utf-8-sig")
    assert cases.number in csv and "bimat@example.vn" not in csv
    book = load_workbook(io.BytesIO(client.get(reverse("reports:export", args=["xlsx"])).content))
    rows = list(book.active.values)
    assert len(rows) == 3 and rows[1][0] == cases.number
    assert client.get("/xu-ly/vu-viec.pdf").status_code == 404
