"""A resident in Chromium: finds a bulletin in the list by words typed without diacritics,
reads it and what its correction changed, copies its link, then pastes an altered forward of
it into "Có phải bản tin thật?" and is told where it came from and what was changed."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.bulletins.public_bulletins import correct, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORWARD = (
    "⚠️ TIN KHẨN, chia sẻ ngay!\n"
    "Nguoi dan khong bam vao duong link la, khong cung cap ma OTP cho bat ky ai.\n"
    "Thong tin chinh thuc chi co tai https://quangninh-gov.vn/thong-bao"
)


def test_a_resident_finds_reads_and_checks_a_forward(page, default_registry):
    bulletin = publish(urgency="urgent")
    body = bulletin.latest_version.body_markdown.replace("gọi 113", "gọi 0203.3835.444")
    correct(bulletin, body_markdown=body, change_note="Sửa số điện thoại")

    page.goto(page.base + "/")
    page.get_by_role("link", name="Bản tin", exact=True).click()
    page.get_by_label("Từ khóa").fill("lua dao zalo")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("link", name="Cảnh báo lừa đảo qua Zalo").click()
    assert page.locator("h1").inner_text() == "Cảnh báo lừa đảo qua Zalo"
    version = page.locator("#v2")
    assert "Sửa số điện thoại" in version.inner_text()
    assert version.locator("del").first.inner_text() == "113."
    assert version.locator("ins").first.inner_text() == "0203.3835.444."
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base)
    page.get_by_role("button", name="Sao chép liên kết").click()
    expect(page.locator(".share-status")).to_have_text(
        "Đã sao chép liên kết. Hãy dán vào tin nhắn."
    )
    screenshot(page, "bulletin-public-page")

    page.get_by_role(
        "link", name="Hoặc dán nội dung bạn nhận được để đối chiếu với các bản tin."
    ).click()
    page.get_by_label("Nội dung được chuyển tiếp").fill(FORWARD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đối chiếu").click()
    verdict = page.locator("#verdict-heading")
    assert "lấy từ một bản tin chính thức nhưng đã bị thay đổi" in verdict.inner_text()
    assert verdict.evaluate("el => el === document.activeElement")  # read out at once
    result = page.locator(".forward-result")
    assert "Cảnh báo lừa đảo qua Zalo" in result.inner_text()
    assert "phiên bản 2" in result.inner_text()
    changes = result.locator(".forward-changes").inner_text()
    assert "https://quangninh.gov.vn/thong-bao. → https://quangninh-gov.vn/thong-bao" in changes
    assert "Bỏ phần đầu:" in changes and "Bỏ phần cuối:" in changes
    assert "TIN KHẨN, chia sẻ ngay!" in changes
    links = result.locator(".forward-links").inner_text()
    assert "Giả mạo" in links and "quangninh-gov.vn" in links
    # What was pasted stays in the box, and in no address.
    assert page.get_by_label("Nội dung được chuyển tiếp").input_value() == FORWARD
    assert page.url == page.base + "/ban-tin/kiem-tra/"
    screenshot(page, "bulletin-forward-check")
