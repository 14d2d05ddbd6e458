"""A unit manager's dashboard in Chromium, under the site's Content-Security-Policy: the manager
logs in, reads the figures, the charts (drawn on the server) with their tables, the staff who
lag, confirms that a person installed the app, and downloads the table; a manager of another
unit finds nothing of it."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chinhthong.reach import events
from tests.browser.conftest import screenshot
from tests.browser.test_every_page_in_both_languages import Visit, _report, _session, _walk
from tests.conftest import PASSWORD
from tests.reach.factories import make_manager, make_staff, make_tree, publish_bulletin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    tree = make_tree()
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    binh = make_staff(tree["CP-CP"], "Trần Thị Bình")
    make_staff(tree["HL-BC"], "Lê Thị Chi")
    bulletin = publish_bulletin("Cảnh báo lừa đảo", urgent=True)
    events.record_read(an, bulletin)
    events.record_share(an, bulletin, via="zalo")
    events.record_share_visit(an.share_code, bulletin, visitor="203.0.113.1")
    events.record_access(an)
    events.declare_app_installed(an, on=timezone.localdate())
    make_manager(tree["CP"], "quanly-cp")
    make_manager(tree["HL"], "quanly-hl")
    return {"tree": tree, "an": an, "binh": binh}


def _log_in(page, username: str) -> None:
    page.goto(page.base + "/dang-nhap/?next=/cong-chuc/don-vi/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_manager_reads_the_dashboard_and_confirms_an_installation(page, world):
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    _log_in(page, "quanly-cp")
    expect(page).to_have_url(page.base + "/cong-chuc/don-vi/CP/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thành phố Cẩm Phả")
    table = page.locator("#bang-so-lieu + p + .table-scroll table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tfoot")).to_contain_text("Tổng")
    # Three charts of shares per unit and one over the days, each an image with its figures.
    expect(page.locator("svg.chart[role=img]")).to_have_count(4)
    expect(page.locator("figure.chart-figure table").first).to_contain_text("Phường Cẩm Tây")
    lagging = page.locator("#can-bo-cham + p + .table-scroll")
    expect(lagging).to_contain_text("Trần Thị Bình")
    expect(lagging).not_to_contain_text("Nguyễn Văn An")
    screenshot(page, "dashboard-unit-manager")
    waiting = page.locator("#cho-xac-nhan + .table-scroll")
    waiting.get_by_role("button", name="Xác nhận đã cài: Nguyễn Văn An").click()
    expect(page.locator(".messages")).to_contain_text(
        "Đã xác nhận: Nguyễn Văn An đã cài ứng dụng chính thức."
    )
    expect(page.locator("#cho-xac-nhan")).to_contain_text("(0)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Bảng tính (XLSX)").first.click()
    assert download.value.suggested_filename.startswith("bang-so-lieu-CP-")
    assert refused == []


def test_a_manager_of_another_unit_finds_nothing_of_it(page, world):
    _log_in(page, "quanly-hl")
    expect(page).to_have_url(page.base + "/cong-chuc/don-vi/HL/")
    expect(page.locator("main")).not_to_contain_text("Cẩm Phả")
    answer = page.goto(page.base + "/cong-chuc/don-vi/CP/")
    assert answer.status == 404
    expect(page.locator("main")).not_to_contain_text("Nguyễn Văn An")


def test_every_dashboard_page_in_both_languages(browser, live_server, world):
    """The dashboards, as a manager, in Vietnamese and English at each width: no English left
    in the Vietnamese pages (tests/browser/test_every_page_in_both_languages.py)."""
    manager = get_user_model().objects.get(username="quanly-cp")
    visits = [
        Visit("unit-dashboard", "/cong-chuc/don-vi/CP/"),
        Visit("unit-dashboard-90-days", "/cong-chuc/don-vi/CP/?days=90"),
        Visit("unit-dashboard-ward", "/cong-chuc/don-vi/CP-CT/"),
        Visit("unit-dashboard-other-unit", "/cong-chuc/don-vi/HL/", status=404),
    ]
    problems = _walk(browser, live_server.url, visits, {"manager": _session(manager)}, "manager")
    assert not problems, _report(problems)
