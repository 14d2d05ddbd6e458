"""The "Kiểm tra" page in Chromium: an official link, a look-alike, and an uploaded .eml."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.verify.engines import CORPUS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, text: str) -> None:
    page.goto(page.base + "/kiem-tra/")
    page.get_by_label("Đường dẫn, tên miền, địa chỉ thư hoặc nội dung tin nhắn").fill(text)
    page.get_by_role("button", name="Kiểm tra", exact=True).click()


def test_official_link(page, default_registry):
    check(page, "https://congchuc.quangninh.gov.vn/van-ban/123")
    result = page.locator(".result")
    expect(result).to_have_class("result verdict-official")
    expect(result).to_contain_text("Cổng thông tin công chức")
    expect(page).to_have_url(
        page.base + "/kiem-tra/?q=https%3A%2F%2Fcongchuc.quangninh.gov.vn%2Fvan-ban%2F123"
    )
    screenshot(page, "check-official-link")


def test_look_alike_names_the_real_channel(page, default_registry):
    check(page, "https://dichvucong-quangninh.com/nop-ho-so")
    result = page.locator(".result")
    expect(result).to_have_class("result verdict-impersonation")
    real = result.get_by_role("link", name="Cổng Dịch vụ công quốc gia")
    expect(real).to_be_visible()
    screenshot(page, "check-lookalike")
    real.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng Dịch vụ công quốc gia")


def test_uploaded_eml(page, default_registry):
    page.goto(page.base + "/kiem-tra/")
    page.get_by_label("…hoặc cả một thư điện tử đã lưu thành tệp .eml").set_input_files(
        str(CORPUS / "eml" / "forged_dmarc_fail.eml")
    )
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    result = page.locator(".result")
    expect(result).to_have_class("result verdict-impersonation")
    expect(result).to_contain_text("DMARC")
    expect(page).to_have_url(page.base + "/kiem-tra/")  # the message never goes into an address
    screenshot(page, "check-eml-upload")
