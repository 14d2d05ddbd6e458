"""An editor in Chromium: writes an urgent draft for one unit, previews it, attaches the
picture its body names, publishes it after the confirmation, then corrects it with a
significant change and reads what the correction changed. The admin's own scripts (the unit
chooser) run under the site's Content-Security-Policy."""

import pytest
from django.conf import settings
from django.test import Client

from chinhthong.bulletins.models import Bulletin, Status
from chinhthong.reach import organisation
from tests.browser.conftest import screenshot
from tests.bulletins.authoring_files import png
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, user) -> None:
    client = Client()
    response = client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": page.base}]
    )


def test_an_editor_writes_previews_attaches_publishes_and_corrects(page, editor):
    province = organisation.create_unit(code="QN", name="Tỉnh Quảng Ninh")
    organisation.create_unit(code="CP", name="Thành phố Cẩm Phả", parent=province)
    _log_in(page, editor)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    page.goto(page.base + "/quan-tri/bulletins/bulletin/add/")
    page.locator("#id_title").fill("Mưa lớn tại Cẩm Phả")
    page.locator("#id_summary").fill("Hạn chế ra đường tối nay.")
    page.locator("#id_body_markdown").fill(
        "Mưa **rất lớn** từ 18 giờ.\n\n![Vùng ngập](vung-ngap.png)"
    )
    page.locator("#id_urgency").select_option("urgent")
    page.get_by_label("các đơn vị chọn dưới đây, mỗi đơn vị cùng các đơn vị trực thuộc").check()
    page.locator("#id_units_from").select_option(label="Thành phố Cẩm Phả")
    page.locator("#id_units_add").click()  # the admin's chooser, a script of its own
    page.locator("#id_tags").fill("thời tiết, mưa lớn")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu và xem trước").click()

    assert "Mưa rất lớn từ 18 giờ." in page.locator(".bulletin-body").inner_text()
    assert "Không có tệp đính kèm nào tên “vung-ngap.png”." in page.content()
    bulletin = Bulletin.objects.get()
    assert [u.code for u in bulletin.audience.all()] == ["CP"]
    screenshot(page, "bulletin-admin-preview-missing-picture")

    page.get_by_role("link", name="Sửa").click()
    page.get_by_role("link", name="Đính kèm ảnh hoặc PDF").click()
    page.locator("input[name=file]").set_input_files(
        {"name": "Vùng ngập.png", "mimeType": "image/png", "buffer": png(120, 80)}
    )
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    assert "![nội dung ảnh](vung-ngap.png)" in page.locator("#attached-files").inner_text()

    page.get_by_role("link", name="Xem trước").click()
    picture = page.locator(".bulletin-body img")
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    screenshot(page, "bulletin-admin-preview")

    page.get_by_role("link", name="Đăng ngay").click()
    assert "Đăng “Mưa lớn tại Cẩm Phả” ngay bây giờ?" in page.locator("#content-main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Có, đăng").click()
    bulletin.refresh_from_db()
    assert bulletin.status == Status.PUBLISHED
    assert "Các phiên bản" in page.locator("#versions").inner_text()
    screenshot(page, "bulletin-admin-published")

    page.get_by_role("link", name="Đính chính").click()
    page.locator("#id_body_markdown").fill(
        "Mưa **rất lớn** từ 17 giờ.\n\n![Vùng ngập](vung-ngap.png)"
    )
    page.locator("#id_significant").check()
    page.locator("#id_change_note").fill("Mưa đến sớm hơn một giờ")
    with page.expect_navigation():
        page.get_by_role("button", name="Xem trước").click()
    changes = page.locator(".changes").inner_text()
    assert "18" in page.locator(".changes del").first.inner_text()
    assert "17" in page.locator(".changes ins").first.inner_text() and changes
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng bản đính chính").click()
    assert "Mưa đến sớm hơn một giờ" in page.locator("#content-main").inner_text()
    bulletin.refresh_from_db()
    assert (bulletin.versions.count(), bulletin.read_from_version) == (2, 2)
    screenshot(page, "bulletin-admin-correction")
    assert not problems, problems
