"""The whole path of issue 11 in Chromium, on real servers: an editor publishes an urgent
bulletin in the back office → the staff member's email arrives at an SMTP server on loopback →
its personal link opens the bulletin and records the read → the staff member shares it and
declares the app installed → their unit's manager sees all of it on the dashboard, and the
manager of another unit sees none of it."""

import re
import time

import pytest
from django.conf import settings
from django.test import Client

from chinhthong.reach.models import EventKind, ReachEvent
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from tests.delivery.smtp_server import smtp_server
from tests.reach.factories import make_manager, make_staff, make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEADLINE = 60.0  # seconds: generous, the machine may be loaded


def _log_in_as(page, user) -> None:
    page.context.clear_cookies()
    client = Client()
    answer = client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content.decode()[:500]
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": page.base}]
    )


def _mail_to(server, address: str):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        for received in server.received:
            if address in received.recipients:
                return received
        time.sleep(0.2)
    raise AssertionError(f"no message reached {address} within {DEADLINE} s")


def _figure(page, label: str) -> str:
    return page.locator(f"dl div:has(dt:text-is('{label}')) dd").first.inner_text().strip()


@pytest.fixture
def mail_server(settings, live_server):
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.MAIL_FROM = "bantin@quangninh.gov.vn"
        settings.PUBLIC_URL = live_server.url
        # Sending threads would open connections of their own; one is enough here.
        settings.DELIVERY_THREADS = 1
        yield server


def test_an_urgent_bulletin_reaches_a_staff_member_and_their_manager_sees_it(
    page,
    editor,
    mail_server,
):
    tree = make_tree()
    an = make_staff(tree["CP-CT"], "Nguyễn Văn An", email="an.nv@quangninh.gov.vn")
    an.user.set_password(PASSWORD)
    an.user.save()
    binh = make_staff(tree["HL-BC"], "Trần Thị Bình", email="binh.tt@quangninh.gov.vn")
    manager_cp = make_manager(tree["CP"], "quanly-campha")
    manager_hl = make_manager(tree["HL"], "quanly-halong")

    # The editor writes and publishes an urgent bulletin for the whole province.
    _log_in_as(page, editor)
    page.goto(page.base + "/quan-tri/bulletins/bulletin/add/")
    page.locator("#id_title").fill("Cảnh báo tin nhắn giả mạo Sở Y tế")
    page.locator("#id_summary").fill("Không bấm vào đường link trong tin nhắn.")
    page.locator("#id_body_markdown").fill(
        "Kẻ gian gửi tin nhắn **giả mạo Sở Y tế**. Không bấm vào đường link lạ."
    )
    page.locator("#id_urgency").select_option("urgent")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu và xem trước").click()
    page.get_by_role("link", name="Đăng ngay").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Có, đăng").click()
    screenshot(page, "e2e-1-editor-published")

    # The staff member's email arrives, urgent, with their personal link; none is a pixel.
    message = _mail_to(mail_server, an.email)
    assert str(message.message["Subject"]).strip().startswith("[KHẨN]")
    assert "<img" not in message.html()
    link = re.search(r"https?://\S+/cong-chuc/doc/[^\s\"<>]+", message.text()).group(0)
    assert link.startswith(page.base)
    _mail_to(mail_server, binh.email)

    # The link opens the bulletin without a password and records the read.
    page.context.clear_cookies()
    page.goto(link)
    assert "Cảnh báo tin nhắn giả mạo Sở Y tế" in page.locator("h1").inner_text()
    screenshot(page, "e2e-2-personal-link")
    read = ReachEvent.objects.get(staff=an, kind=EventKind.READ)
    assert read.via == "link"

    # Logged in, the staff member shares it (copy link) and declares the app installed.
    _log_in_as(page, an.user)
    page.goto(page.base + "/cong-chuc/")
    page.get_by_role("link", name="Cảnh báo tin nhắn giả mạo Sở Y tế").first.click()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Sao chép liên kết").first.click()
    deadline = time.monotonic() + DEADLINE
    while not ReachEvent.objects.filter(staff=an, kind=EventKind.SHARED).exists():
        assert time.monotonic() < deadline, "the share was not recorded"
        time.sleep(0.2)
    page.goto(page.base + "/cong-chuc/ung-dung/")
    page.locator("input[name=on]").fill("2025-03-15")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Tôi đã cài")).first.click()
    assert "15/03/2025" in page.locator("main").inner_text()
    screenshot(page, "e2e-3-staff-shared-and-declared")

    # Cẩm Phả's manager sees the read, the share and the app on the city's dashboard.
    _log_in_as(page, manager_cp)
    page.goto(page.base + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Bảng theo dõi đơn vị").click()
    # One unit managed: its dashboard opens at once.
    assert "Thành phố Cẩm Phả" in page.locator("h1").inner_text()
    assert _figure(page, "Cán bộ") == "1"
    assert _figure(page, "Lượt chia sẻ") == "1"
    assert _figure(page, "Đọc trong 24 giờ") == "100 %"
    assert _figure(page, "Đã khai báo cài ứng dụng chính thức") == "100 %"
    screenshot(page, "e2e-4-manager-dashboard")

    # Hạ Long's manager sees Hạ Long only: Cẩm Phả's page is missing to them, and nothing
    # of An's appears anywhere they can go.
    _log_in_as(page, manager_hl)
    answer = page.goto(page.base + "/cong-chuc/don-vi/CP/")
    assert answer.status == 404
    page.goto(page.base + "/cong-chuc/don-vi/")
    assert "Thành phố Hạ Long" in page.locator("h1").inner_text()
    text = page.locator("main").inner_text()
    assert "Nguyễn Văn An" not in text
    assert _figure(page, "Lượt chia sẻ") == "0"
    screenshot(page, "e2e-5-other-manager")
