"""The staff portal as an installable app, in Debian's Chromium: its service worker registers
for /cong-chuc/, its manifest parses with no error and the browser finds nothing that stops
installing it but the test's own private window, a push reaching the worker becomes a
notification that links to the bulletin, and an iPhone is told to add the portal to the Home
Screen first."""

import json
import struct

import pytest
from django.test import Client

from chinhthong.delivery import push, vapid
from chinhthong.delivery.transports.base import Message
from tests.browser.conftest import screenshot
from tests.reach.factories import make_staff, make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def signed_in(settings, tmp_path):
    """A staff member's session, and a web push key for the site."""
    settings.VAPID_KEY_FILE = tmp_path / "vapid.pem"
    vapid.generate_key_file(settings.VAPID_KEY_FILE)
    person = make_staff(make_tree()["CP-CT"], "Nguyễn Văn An")
    client = Client()
    client.force_login(person.user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def _open_portal(browser, live_server, session, **options):
    options = {"locale": "vi-VN", "viewport": {"width": 1100, "height": 900}, **options}
    context = browser.new_context(**options)
    context.add_cookies([{**session, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/cong-chuc/")
    return context, page


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_portal_installs_as_an_app_and_shows_pushes(browser, live_server, signed_in):
    context, page = _open_portal(browser, live_server, signed_in)
    try:
        scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
        assert scope == live_server.url + "/cong-chuc/"
        page.wait_for_selector("#push-notifications[data-push-state='off']")
        assert page.locator("[data-action='subscribe']").is_visible()

        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == live_server.url + "/cong-chuc/manifest.webmanifest"
        assert manifest["errors"] == []
        parsed = json.loads(manifest["data"])
        assert parsed["lang"] == "vi" and parsed["scope"] == "/cong-chuc/"
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        # A Playwright context is a private window, where no browser installs apps.
        assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
        for icon in parsed["icons"]:
            answer = page.request.get(live_server.url + icon["src"])
            assert answer.ok, icon
            if icon["type"] == "image/png":
                width, height = _png_size(answer.body())
                assert f"{width}x{height}" == icon["sizes"]

        # A push as the push service hands it to the worker: a notification linking to the
        # bulletin, kept on screen when urgent.
        context.grant_permissions(["notifications"], origin=live_server.url)
        registrations = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda e: registrations.extend(e["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        page.wait_for_timeout(500)
        (registration,) = [r for r in registrations if r["scopeURL"].endswith("/cong-chuc/")]
        link = live_server.url + "/cong-chuc/doc/abc/"
        data = push.payload(
            Message(
                subject="Cảnh báo lừa đảo", text="Không bấm vào link lạ.", url=link, urgent=True
            )
        )
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": live_server.url + "/",
                "registrationId": registration["registrationId"],
                "data": data.decode(),
            },
        )
        shown = page.evaluate(
            """async () => {
              const registration = await navigator.serviceWorker.ready;
              for (let i = 0; i < 100; i++) {
                const found = await registration.getNotifications();
                if (found.length) return found.map(n => ({title: n.title, body: n.body,
                  url: n.data.url, sticky: n.requireInteraction}));
                await new Promise(r => setTimeout(r, 100));
              }
              return [];
            }"""
        )
        assert shown == [
            {
                "title": "Cảnh báo lừa đảo",
                "body": "Không bấm vào link lạ.",
                "url": link,
                "sticky": True,
            }
        ]
        screenshot(page, "pwa-portal-notifications")
    finally:
        context.close()


def test_an_iphone_is_told_to_add_the_portal_to_the_home_screen(browser, live_server, signed_in):
    context, page = _open_portal(
        browser, live_server, signed_in, user_agent=IPHONE, viewport={"width": 390, "height": 844}
    )
    try:
        page.wait_for_selector("#push-notifications[data-push-state='ios']")
        told = page.locator("[data-state='ios']")
        assert told.is_visible()
        assert "Màn hình chính" in told.inner_text()
        assert not page.locator("[data-action='subscribe']").is_visible()
        screenshot(page, "pwa-portal-iphone")
    finally:
        context.close()
