"""The directory, a channel page, login, an editor's change with its history, and the
language switch, as a person does them in Chromium."""

import pytest
from playwright.sync_api import expect

from chinhthong.registry.models import Channel
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_without_diacritics_then_open_the_channel(page, default_registry):
    page.goto(page.base + "/")
    page.get_by_label("Tìm kênh chính thống").fill("kiem soat benh tat")
    page.get_by_role("button", name="Tìm kiếm").click()
    result = page.get_by_role("link", name="Kiểm soát bệnh tật tỉnh Quảng Ninh", exact=True)
    expect(result).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("1")
    screenshot(page, "directory-search-without-diacritics")

    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm soát bệnh tật tỉnh Quảng Ninh")
    expect(page.locator(".verdict")).to_contain_text("Kênh chính thống")
    expect(page.locator(".facts")).to_contain_text("1341/STTTT-TTBCXB")
    expect(page.locator(".facts")).to_contain_text("facebook.com/kiemsoatbenhtat.quangninh")
    screenshot(page, "channel-page")


def test_pending_channel_page_says_not_yet_official(page, default_registry):
    page.goto(page.base + "/danh-ba/kenh/facebook-ddci-quang-ninh/")
    expect(page.locator(".verdict")).not_to_contain_text("Kênh chính thống")
    expect(page.locator(".facts")).to_contain_text("facebook.com/DDCI tinh Quang Ninh/")
    screenshot(page, "channel-pending-review")


def test_login_and_logout(page, editor):
    page.goto(page.base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill("sai")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # An editor works in the back office: with no page asked for, that is where they land.
    expect(page).to_have_url(page.base + "/quan-tri/")
    page.goto(page.base + "/")
    expect(page.get_by_role("button", name="Đăng xuất (bientap)")).to_be_visible()
    screenshot(page, "logged-in")
    page.get_by_role("button", name="Đăng xuất (bientap)").click()
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_editor_changes_a_channel_and_sees_its_history(page, editor, default_registry):
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    page.goto(page.base + "/dang-nhap/?next=/quan-tri/")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{page.base}/quan-tri/registry/channel/{channel.pk}/change/")
    page.locator("#id_status").select_option("retired")
    page.locator("#id_last_verified").fill("20/11/2026")
    page.get_by_label("Lý do thay đổi").fill("Kênh đã ngừng hoạt động")
    screenshot(page, "admin-channel-edit")
    page.locator("input[name=_save]").click()
    screenshot(page, "admin-channel-saved")
    expect(page.locator(".messagelist")).to_be_visible()
    channel.refresh_from_db()
    assert channel.status == "retired"

    page.goto(f"{page.base}/quan-tri/registry/channel/{channel.pk}/history/")
    history = page.locator("#change-history")
    expect(history).to_contain_text("bientap")
    expect(history).to_contain_text("Kênh đã ngừng hoạt động")  # the reason given
    expect(history).to_contain_text("Đang hoạt động → Ngừng sử dụng")  # statuses by name
    screenshot(page, "admin-channel-history")


def test_language_switch(page, default_registry):
    page.goto(page.base + "/danh-ba/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh bạ kênh chính thống")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of official channels")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "directory-english")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danh bạ kênh chính thống")


def test_phone_width_layout(page, default_registry):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/danh-ba/kenh/web-cong-ttdt-quang-ninh/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    screenshot(page, "channel-phone")
