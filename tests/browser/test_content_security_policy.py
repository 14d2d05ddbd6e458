"""Every kind of page works in Chromium under the site's Content-Security-Policy: nothing the
browser refuses (a refused script or style would break the page silently)."""

import pytest
from playwright.sync_api import expect

from chinhthong.registry.models import Channel
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = [
    "/",
    "/danh-ba/",
    "/danh-ba/kenh/web-cong-thong-tin-cong-chuc/",
    "/kiem-tra/?q=quangninh-gov.vn",
    "/api/docs",
    "/dang-nhap/",
]


def _refusals(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_public_pages_load_everything_they_need(page, default_registry):
    refused = _refusals(page)
    for path in PUBLIC:
        response = page.goto(page.base + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(page.base + "/api/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # drawn by its script
    screenshot(page, "api-docs-under-csp")
    assert refused == []


def test_the_back_office_works_under_the_policy(page, editor, default_registry):
    refused = _refusals(page)
    page.goto(page.base + "/quan-tri/login/")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    page.goto(page.base + f"/quan-tri/registry/channel/{channel.pk}/change/")
    page.wait_for_load_state("networkidle")
    # The agency field is an autocomplete widget, built by the admin's scripts.
    expect(page.locator(".select2-container").first).to_be_visible()
    page.goto(page.base + f"/quan-tri/registry/channel/{channel.pk}/history/")
    page.goto(page.base + "/quan-tri/registry/channel/?q=quang")
    page.wait_for_load_state("networkidle")
    screenshot(page, "back-office-under-csp")
    assert refused == []
