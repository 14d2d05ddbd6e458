"""The site's identity as a resident sees it in Chromium: the operating agency in the footer on
phone and desktop widths, the report page, the home page's check box, and a result's share
buttons — "copy link" really copies, under the site's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from chinhthong.portal import images, services
from tests.browser.conftest import screenshot
from tests.portal import pictures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENCY = "Sở Khoa học và Công nghệ tỉnh Quảng Ninh"  # in charge today (default identity)
WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.fixture
def identity(default_registry):
    services.load_default_identity()
    return services.update_identity(
        address="Số 1 Đường Thử nghiệm, Hạ Long",
        phone="0203 3835 444",
        email="vanphong@example.gov.vn",
        hours="Thứ Hai đến Thứ Sáu, 7:30–17:00",
        pictures={images.EMBLEM: pictures.png(96, 96), images.FAVICON: pictures.ico()},
    )


def _csp_refusals(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def _no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page is {width}px wider than the window"


@pytest.mark.parametrize("device", WIDTHS)
def test_the_footer_names_the_operating_agency_with_its_emblem(page, identity, device):
    refused = _csp_refusals(page)
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    page.goto(page.base + "/")
    footer = page.locator("footer")
    expect(footer.get_by_role("link", name=AGENCY)).to_be_visible()
    expect(footer).to_contain_text("0203 3835 444")
    expect(footer).to_contain_text("Thứ Hai đến Thứ Sáu, 7:30–17:00")
    expect(footer).to_contain_text("Cơ quan chủ quản: Ủy ban nhân dân tỉnh Quảng Ninh.")
    emblem = footer.locator("img.emblem")
    expect(emblem).to_be_visible()
    assert emblem.evaluate("img => img.complete && img.naturalWidth") == 96  # served and drawn
    report = footer.get_by_role("link", name="Phản ánh thông tin sai sự thật")
    expect(report).to_be_visible()
    _no_horizontal_overflow(page)
    screenshot(page, f"home-with-identity-{device}")
    report.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phản ánh thông tin sai sự thật")
    expect(page.get_by_role("heading", name="Phòng PA03 – Công an tỉnh Quảng Ninh")).to_be_visible()
    _no_horizontal_overflow(page)
    screenshot(page, f"report-page-{device}")
    assert refused == []


def test_the_home_page_checks_what_is_pasted_into_either_box(page, identity):
    page.goto(page.base + "/")
    box = page.get_by_label("Đường dẫn, tên miền, địa chỉ thư hoặc nội dung tin nhắn")
    box.fill("https://quangning.gov.vn/thong-bao")
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page).to_have_url(page.base + "/kiem-tra/?q=https%3A%2F%2Fquangning.gov.vn%2Fthong-bao")
    expect(page.locator(".result")).to_be_visible()

    page.goto(page.base + "/")
    page.get_by_label("Tìm kênh chính thống").fill("quangninh-gov.vn")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page).to_have_url(page.base + "/kiem-tra/?q=quangninh-gov.vn")
    expect(page.locator(".result")).to_have_class("result verdict-impersonation")


@pytest.mark.parametrize("device", WIDTHS)
def test_share_buttons_and_copy_link(page, identity, device):
    refused = _csp_refusals(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base)
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    page.goto(page.base + "/kiem-tra/?q=quangninh-gov.vn")
    result_url = page.url
    zalo = page.get_by_role("link", name="Chia sẻ qua Zalo")
    facebook = page.get_by_role("link", name="Chia sẻ lên Facebook")
    assert zalo.get_attribute("href").startswith("https://button-share.zalo.me/share_external?")
    assert facebook.get_attribute("href").startswith(
        "https://www.facebook.com/sharer/sharer.php?u="
    )
    copy = page.get_by_role("button", name="Sao chép liên kết")
    expect(copy).to_be_visible()  # shown by the site's script, which the policy lets run
    copy.click()
    expect(page.get_by_role("status").filter(has_text="Đã sao chép")).to_have_text(
        "Đã sao chép liên kết. Hãy dán vào tin nhắn."
    )
    assert page.evaluate("navigator.clipboard.readText()") == result_url
    _no_horizontal_overflow(page)
    screenshot(page, f"check-result-share-{device}")
    assert refused == []


def test_without_script_the_link_is_there_to_copy_by_hand(browser, live_server, identity):
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/kiem-tra/?q=quangninh-gov.vn")
    expect(page.get_by_role("button", name="Sao chép liên kết")).to_be_hidden()
    expect(page.get_by_label("Liên kết tới kết quả này")).to_have_value(page.url)
    expect(page.get_by_role("link", name="Chia sẻ qua Zalo")).to_be_visible()
    context.close()
