"""The staff portal in Chromium, in Vietnamese, at a phone's width (390 px) and a desktop's
(1280 px): a staff member logs in, lands on the portal with the urgent bulletin first, marks one
read, opens the other, shares it on Facebook and by copying their link, declares the app
installed and sees what is recorded about them. Then every page of the portal in both
languages, with no English on the Vietnamese ones and none wider than the window."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from chinhthong.reach import links
from chinhthong.reach.models import EventKind, ReachEvent, Via
from tests.browser.conftest import CHROMIUM, FLAGS, screenshot
from tests.browser.test_every_page_in_both_languages import Visit, _report, _session, _walk
from tests.conftest import PASSWORD
from tests.reach.factories import make_staff, make_tree, publish_bulletin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def offline_browser(browser):
    """Chromium that resolves no name but the live server's: following a share to Facebook is
    seen (the request is made, so the page's policy let it go) and goes nowhere."""
    rules = "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
    offline = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*FLAGS, f"--host-resolver-rules={rules}"]
    )
    yield offline
    offline.close()


@pytest.fixture
def portal(default_registry):
    tree = make_tree()
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An", email="an.nv@quangninh.gov.vn")
    an.user.set_password(PASSWORD)
    an.user.save()
    make_staff(tree["HL-BC"], "Trần Thị Bình")
    normal = publish_bulletin("Lịch tiếp công dân tháng 12", units=[tree["CP"]])
    urgent = publish_bulletin("Cảnh báo giả mạo tin nhắn Sở Y tế", urgent=True)
    publish_bulletin("Thông báo riêng của Hạ Long", units=[tree["HL"]])
    return {"an": an, "normal": normal, "urgent": urgent}


def _events(staff, kind):
    return list(
        ReachEvent.objects.filter(staff=staff, kind=kind)
        .order_by("pk")
        .values_list("bulletin__slug", "via")
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_a_staff_member_reads_shares_and_declares_the_app(
    offline_browser, live_server, portal, width
):
    an, normal, urgent = portal["an"], portal["normal"], portal["urgent"]
    context = offline_browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    shared_to = []
    context.on(
        "request",
        lambda r: shared_to.append(r.url) if r.url.startswith("https://www.facebook.com/") else 0,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url

    # Logging in lands on the portal.
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(an.user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(base + "/cong-chuc/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Văn An")
    titles = page.locator(".bulletin-title")
    expect(titles).to_have_text(
        ["Cảnh báo giả mạo tin nhắn Sở Y tế", "Lịch tiếp công dân tháng 12"]
    )
    expect(page.get_by_text("Thông báo riêng của Hạ Long")).to_have_count(0)
    expect(page.get_by_role("link", name="Cổng cán bộ")).to_be_visible()
    screenshot(page, f"staff-portal-{width}-home")
    assert ReachEvent.objects.filter(staff=an, kind=EventKind.ACCESS).count() == 1

    # "Đã đọc" on the second one, from the list.
    item = page.locator(".bulletin-item", has_text="Lịch tiếp công dân tháng 12")
    item.get_by_role("button", name="Đã đọc").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận: bạn đã đọc bản tin này.")
    expect(item.locator(".tag-read")).to_have_text("Đã đọc")
    assert _events(an, EventKind.READ) == [(normal.slug, Via.BUTTON)]

    # Opening the urgent one reads it.
    page.get_by_role("link", name="Cảnh báo giả mạo tin nhắn Sở Y tế").click()
    expect(page).to_have_url(base + f"/cong-chuc/ban-tin/{urgent.slug}/")
    expect(page.locator(".read-state")).to_contain_text("Đã ghi nhận: bạn đã đọc bản tin này")
    assert _events(an, EventKind.READ)[-1] == (urgent.slug, Via.PORTAL)
    screenshot(page, f"staff-portal-{width}-bulletin")

    # Sharing on Facebook: the new tab goes to Facebook's share page with the person's code.
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Chia sẻ lên Facebook").click()
    _wait_for(lambda: shared_to)
    wanted = f"{settings.PUBLIC_URL}/ban-tin/{urgent.slug}/?s={an.share_code}"
    assert urlsplit(shared_to[0]).path == "/sharer/sharer.php"
    assert parse_qs(urlsplit(shared_to[0]).query)["u"] == [wanted]
    opened.value.close()

    # Copying the link: copied, and recorded without leaving the page.
    page.get_by_role("button", name="Sao chép liên kết").click()
    expect(page.locator(".share-status")).to_have_text(
        "Đã sao chép liên kết. Hãy dán vào tin nhắn."
    )
    assert page.evaluate("navigator.clipboard.readText()") == wanted
    expect(page).to_have_url(base + f"/cong-chuc/ban-tin/{urgent.slug}/")
    _wait_for(lambda: len(_events(an, EventKind.SHARED)) == 2)
    assert _events(an, EventKind.SHARED) == [
        (urgent.slug, Via.FACEBOOK),
        (urgent.slug, Via.COPY_LINK),
    ]
    screenshot(page, f"staff-portal-{width}-shared")

    # The app, declared for today.
    page.get_by_role("link", name="Ứng dụng chính thức").click()
    page.get_by_label("Ngày bạn cài ứng dụng").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Tôi đã cài Smart Quảng Ninh").click()
    today = timezone.localdate().strftime("%d/%m/%Y")
    expect(page.locator(".app-state")).to_contain_text(f"Bạn đã cài ứng dụng ngày {today}.")
    screenshot(page, f"staff-portal-{width}-app")

    # What is recorded about them.
    page.get_by_role("link", name="Dữ liệu của tôi").click()
    table = page.locator("table.data").last
    expect(table).to_contain_text("Nút “Đã đọc”")
    expect(table).to_contain_text("Khai báo đã cài ứng dụng")
    expect(table.locator("tbody tr")).to_have_count(6)  # 2 reads, 2 shares, app, today's access
    screenshot(page, f"staff-portal-{width}-my-data")
    context.close()


def _wait_for(condition, seconds: float = 15.0) -> None:
    """What the browser does after a click (a new tab's request, the copy's POST sent by the
    page's script) happens a moment later: wait for it, generously."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.05)


def test_the_personal_link_in_a_phone_without_logging_in(browser, live_server, portal):
    an, urgent = portal["an"], portal["urgent"]
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + links.personal_path(an, urgent))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cảnh báo giả mạo tin nhắn Sở Y tế")
    expect(page.locator(".read-state")).to_contain_text("Đã ghi nhận")
    expect(page.get_by_role("button", name="Đăng nhập")).to_have_count(0)
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()  # not logged in
    screenshot(page, "staff-portal-390-personal-link")
    assert _events(an, EventKind.READ) == [(urgent.slug, Via.PERSONAL_LINK)]
    context.close()


def test_every_portal_page_in_both_languages(browser, live_server, portal):
    an, urgent = portal["an"], portal["urgent"]
    token = links.token_for(an, urgent)
    visits = [
        Visit("staff-portal-home", "/cong-chuc/"),
        Visit("staff-portal-unread", "/cong-chuc/chua-doc/"),
        Visit("staff-portal-bulletin", f"/cong-chuc/ban-tin/{urgent.slug}/"),
        Visit("staff-portal-app", "/cong-chuc/ung-dung/"),
        Visit(
            "staff-portal-app-refused",
            "/cong-chuc/ung-dung/",
            act=_declare("2999-01-01"),
        ),
        Visit("staff-portal-my-data", "/cong-chuc/du-lieu-cua-toi/"),
        Visit("staff-portal-personal-link", f"/cong-chuc/doc/{token}/"),
        Visit("staff-portal-link-broken", "/cong-chuc/doc/khong-hop-le/", status=404),
        Visit("staff-portal-not-addressed", "/cong-chuc/ban-tin/khong-co/", status=404),
    ]
    sessions = {"staff": _session(an.user)}
    problems = _walk(browser, live_server.url, visits, sessions, "staff")
    assert not problems, _report(problems)


def _declare(day: str):
    def act(page):
        page.locator("input[name=on]").fill(day)
        with page.expect_navigation():
            page.locator("input[name=on]").evaluate("el => el.form.requestSubmit()")

    return act
