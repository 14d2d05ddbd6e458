"""Every public page and the main back-office pages, in Vietnamese and in English, at a phone's
width (390 px) and a desktop's (1280 px), in Chromium: a screenshot of each in test-artifacts/
(named language-width-page), no English on the Vietnamese pages — of our own code and of the
third-party apps the back office shows — and no page wider than the window.

English is found by comparing every visible text of the page (text, button labels,
placeholders, titles, accessible names, the options of a list) with the message catalogues
installed (tests/browser/english_text.py). Text marked as another language (the "English"
button of the language switch) is not Vietnamese text and is left out.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.checks import blocklists, known_sites
from chinhthong.clients import api_keys
from chinhthong.clients.budget import rate_limited
from chinhthong.clients.ratelimit import LIMITER
from chinhthong.config.views import server_error
from chinhthong.portal import services as portal_services
from chinhthong.registry.models import Agency, Channel
from tests.browser.conftest import screenshot
from tests.browser.english_text import why_english
from tests.conftest import PASSWORD
from tests.reports.helpers import published_rebuttal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
LANGUAGES = {"vi": "vi-VN", "en": "en-GB"}
REASON = "Kênh đã ngừng hoạt động theo công văn mới"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36"

# Addresses that are not pages for people: data files, images, the health probe, the API (a
# program's door, answering JSON), the language switch (a form's target) and the back office
# (visited below).
NOT_PAGES = (
    "quan-tri/",
    "api/v1/",
    "i18n/",
    "healthz",
    "registry.json",
    "registry.pub",
    "anh/",
    "favicon.ico",
    # Bulletins' feeds, alerts, signed versions and files (tests/bulletins test them).
    "ban-tin/rss.xml",
    "ban-tin/atom.xml",
    "ban-tin/cap.xml",
    "ban-tin/<slug:slug>/cap.xml",
    "ban-tin/<slug:slug>/v",
    "ban-tin/tep/",
    # The installable portal's manifest and service worker, and the web push and Zalo
    # endpoints (forms' and scripts' targets, the OA's webhook): tests/delivery and
    # tests/browser/test_pwa_portal.py test them.
    "cong-chuc/sw.js",
    "cong-chuc/manifest.webmanifest",
    "cong-chuc/thong-bao/",
    "cong-chuc/zalo/",
    "zalo/",
)
# The API's documentation is for developers, drawn by Swagger UI, which speaks only English:
# it is shown and measured, not read for English.
ENGLISH_BY_DESIGN = {"api-docs"}

# Every visible text of the page, with the language it is marked as.
TEXTS_JS = """() => {
  const seen = [];
  const shown = (el) => el.checkVisibility({visibilityProperty: true});
  const language = (el) => (el.closest("[lang]")?.getAttribute("lang") || "").toLowerCase();
  const add = (el, text, where) => {
    if (text && text.trim()) seen.push([text.trim(), language(el), where]);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA"]);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip.has(el.tagName)) continue;
    const select = el.closest("select");
    if (select ? shown(select) : shown(el)) add(el, node.textContent, el.tagName.toLowerCase());
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el)) continue;
    for (const name of ["placeholder", "title", "aria-label", "alt"]) {
      add(el, el.getAttribute(name), "@" + name);
    }
    if (el.matches("input[type=submit], input[type=button], input[type=reset]")) {
      add(el, el.value, "@value");
    }
  }
  add(document.documentElement, document.title, "title");
  return seen;
}"""

# How far the page reaches past the window, and the elements that stick out.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (typeof el.className === "string" && el.className
        ? "." + el.className.split(" ").join(".") : ""));
  return [document.scrollingElement.scrollWidth, width, wide];
}"""


@dataclass
class Visit:
    name: str
    path: str = ""
    act: Callable | None = None  # what a person does on the page after opening it
    status: int = 200
    landing: str | None = None  # the path the browser ends on, when it is sent elsewhere
    as_user: str | None = None  # the session to use instead of the context's
    served: Callable[[str], tuple[int, str]] | None = None  # a page no address leads to
    routes: tuple[str, ...] = field(default=())  # the URL patterns this visit covers


def _fill_and_send(selector_values: dict[str, str], submit: str):
    def act(page):
        for selector, value in selector_values.items():
            page.locator(selector).fill(value)
        with page.expect_navigation():
            page.locator(submit).evaluate("el => el.form.requestSubmit()")

    return act


def _upload_email(page):
    message = (
        b"From: =?utf-8?q?S=E1=BB=9F_Y_t=E1=BA=BF?= <thongbao@syt-quangninh.top>\r\n"
        b"To: canbo@quangninh.gov.vn\r\nSubject: Thong bao\r\n\r\n"
        b"Xem tai https://syt-quangninh.top/ho-tro ngay.\r\n"
    )
    page.locator("input[name=eml]").set_input_files(
        {"name": "thu.eml", "mimeType": "message/rfc822", "buffer": message}
    )
    with page.expect_navigation():
        page.locator("input[name=eml]").evaluate("el => el.form.requestSubmit()")


def _attach(selector: str, name: str, mime: str, content: bytes):
    def act(page):
        page.locator(selector).set_input_files({"name": name, "mimeType": mime, "buffer": content})
        with page.expect_navigation():
            page.locator(selector).evaluate("el => el.form.requestSubmit()")

    return act


def _error_page(render: Callable) -> Callable[[str], tuple[int, str]]:
    """An error page as its handler renders it in a language (no address of the site fails on
    purpose, and a limit reached would close the other pages to this browser)."""

    def serve(language: str) -> tuple[int, str]:
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        with translation.override(language):
            response = render(request)
        return response.status_code, response.content.decode()

    return serve


def configured_names() -> frozenset[str]:
    """Names an operator gives in the settings (a task backend's, a queue's), shown as given."""
    names = set(settings.TASKS)
    for backend in settings.TASKS.values():
        names.update(backend.get("QUEUES", []))
    return frozenset(n.casefold() for n in names)


def _published_bulletin():
    """An urgent bulletin, published and corrected once (its page shows both versions)."""
    from chinhthong.bulletins.models import Bulletin
    from tests.bulletins.public_bulletins import correct, publish

    found = Bulletin.objects.filter(status="published").first()
    if found is None:
        found = publish(urgency="urgent")
        body = found.latest_version.body_markdown.replace("gọi 113", "gọi 0203.3835.444")
        correct(found, body_markdown=body, change_note="Sửa số điện thoại")
    return found


def public_visits() -> list[Visit]:
    channel = Channel.objects.get(slug="facebook-kiem-soat-benh-tat-quang-ninh")
    bulletin = _published_bulletin()
    forward = _fill_and_send(
        {
            "textarea[name=text]": "🔥 Khong bam vao duong link la, khong cung cap ma OTP "
            "cho bat ky ai.\nThong tin chinh thuc chi co tai https://quangninh-gov.vn/thong-bao"
        },
        "textarea[name=text]",
    )
    stranger = _fill_and_send(
        {"textarea[name=text]": "Chúc mừng bạn trúng thưởng, nhận quà tại https://qua.example.top"},
        "textarea[name=text]",
    )
    login = _fill_and_send(
        {"input[name=username]": "nguoi-la", "input[name=password]": "sai-mat-khau"},
        "input[name=password]",
    )
    locked = _fill_and_send(
        {"input[name=username]": "bi-khoa", "input[name=password]": "sai-mat-khau"},
        "input[name=password]",
    )
    message = _fill_and_send(
        {"textarea[name=q]": "Sở Y tế thông báo:\ntruy cập https://syt-quangninh.top/ho-tro"},
        "textarea[name=q]",
    )
    rebutted = published_rebuttal()
    bad_picture = _attach(
        "input[name=screenshots]", "anh.png", "image/png", b"<html>not a picture</html>"
    )
    return [
        Visit("home", "/", routes=("",)),
        Visit("check", "/kiem-tra/", routes=("kiem-tra/",)),
        Visit("check-official", "/kiem-tra/?q=https://congchuc.quangninh.gov.vn/"),
        Visit("check-lookalike", "/kiem-tra/?q=quangning.gov.vn"),
        Visit("check-unknown", "/kiem-tra/?q=https://vi-du-chua-biet.example/"),
        Visit("check-message", "/kiem-tra/", act=message),
        Visit("check-email", "/kiem-tra/", act=_upload_email),
        Visit("check-empty", "/kiem-tra/", act=_fill_and_send({}, "textarea[name=q]"), status=400),
        Visit("directory", "/danh-ba/", routes=("danh-ba/",)),
        Visit("directory-search", "/danh-ba/?q=kiem+soat+benh+tat"),
        Visit("directory-nothing", "/danh-ba/?q=khong-co-kenh-nay"),
        Visit("channel", channel.get_absolute_url(), routes=("danh-ba/kenh/<slug:slug>/",)),
        Visit("channel-pending", "/danh-ba/kenh/facebook-ddci-quang-ninh/"),
        Visit(
            "agency", channel.agency.get_absolute_url(), routes=("danh-ba/co-quan/<slug:code>/",)
        ),
        Visit("report", "/phan-anh/", routes=("phan-anh/",)),
        Visit("report-form", "/bao-tin-gia/", routes=("bao-tin-gia/",)),
        Visit("report-form-not-a-picture", "/bao-tin-gia/", act=bad_picture, status=400),
        Visit(
            "report-receipt",
            f"/bao-tin-gia/da-nhan/{rebutted.tracking_code}/",
            routes=("bao-tin-gia/da-nhan/<str:code>/",),
        ),
        Visit("report-lookup", "/bao-tin-gia/tra-cuu/", routes=("bao-tin-gia/tra-cuu/",)),
        Visit("report-lookup-unknown", "/bao-tin-gia/tra-cuu/?code=TG-2222", status=404),
        Visit(
            "report-status",
            f"/bao-tin-gia/tra-cuu/{rebutted.tracking_code}/",
            routes=("bao-tin-gia/tra-cuu/<str:code>/",),
        ),
        Visit("rebuttals", "/thong-tin-da-xac-minh/", routes=("thong-tin-da-xac-minh/",)),
        Visit("rebuttals-search", "/thong-tin-da-xac-minh/?q=phat+tien"),
        Visit(
            "rebuttal",
            f"/thong-tin-da-xac-minh/{rebutted.case.rebuttal_slug}/",
            routes=("thong-tin-da-xac-minh/<slug:slug>/",),
        ),
        # The handlers' workspace asks to log in; visited as a handler, in both languages, by
        # tests/browser/test_reports_loop.py (its steps take POST only).
        Visit(
            "reports-workspace-asks-to-log-in",
            "/xu-ly/",
            landing="/dang-nhap/",
            routes=(
                "xu-ly/",
                "xu-ly/nhieu-vu-viec/",
                "xu-ly/thong-ke/",
                "xu-ly/vu-viec.<str:fmt>",
                "xu-ly/vu-viec/<str:number>/",
                "xu-ly/vu-viec/<str:number>/<slug:action>/",
                "xu-ly/bang-chung/<int:pk>/",
                "xu-ly/bang-chung/<int:pk>/xem/",
            ),
        ),
        # The pages of the bodies cases are referred to ask to log in; visited as a liaison by
        # tests/browser/test_reports_loop.py.
        Visit(
            "referrals-ask-to-log-in",
            "/chuyen-xu-ly/",
            landing="/dang-nhap/",
            routes=(
                "chuyen-xu-ly/",
                "chuyen-xu-ly/<str:number>/",
                "chuyen-xu-ly/<str:number>/cap-nhat/",
                "chuyen-xu-ly/<str:number>/ho-so.pdf",
                "chuyen-xu-ly/<str:number>/ho-so.zip",
            ),
        ),
        Visit("bulletins", "/ban-tin/", routes=("ban-tin/",)),
        Visit("bulletins-search", "/ban-tin/?q=lua+dao"),
        Visit("bulletin", f"/ban-tin/{bulletin.slug}/", routes=("ban-tin/<slug:slug>/",)),
        Visit("forward-check", "/ban-tin/kiem-tra/", routes=("ban-tin/kiem-tra/",)),
        Visit("forward-check-altered", "/ban-tin/kiem-tra/", act=forward),
        Visit("forward-check-nothing", "/ban-tin/kiem-tra/", act=stranger),
        Visit("login", "/dang-nhap/", routes=("dang-nhap/", "dang-xuat/")),
        Visit("login-wrong-password", "/dang-nhap/", act=login),
        Visit("login-locked-out", "/dang-nhap/", act=locked, status=429),
        Visit("login-link", "/dang-nhap/lien-ket/", routes=("dang-nhap/lien-ket/",)),
        Visit(
            "login-link-sent",
            "/dang-nhap/lien-ket/",
            act=_fill_and_send(
                {"input[name=email]": "ai-do@quangninh.gov.vn"}, "input[name=email]"
            ),
        ),
        Visit(
            "login-link-spent",
            "/dang-nhap/lien-ket/khong-con-dung/",
            status=410,
            routes=("dang-nhap/lien-ket/<str:token>/",),
        ),
        Visit("back-office-asks-to-log-in", "/quan-tri/", landing="/dang-nhap/"),
        # The staff portal asks to log in; its pages are visited as a staff member, in both
        # languages, by tests/browser/test_staff_portal.py (its forms' targets take POST only).
        Visit(
            "staff-portal-asks-to-log-in",
            "/cong-chuc/chua-doc/",
            landing="/dang-nhap/",
            routes=(
                "cong-chuc/",
                "cong-chuc/chua-doc/",
                "cong-chuc/ban-tin/<slug:slug>/",
                "cong-chuc/ban-tin/<slug:slug>/da-doc/",
                "cong-chuc/ban-tin/<slug:slug>/chia-se/",
                "cong-chuc/ung-dung/",
                "cong-chuc/du-lieu-cua-toi/",
            ),
        ),
        # Unit managers' dashboards ask to log in; visited as a manager, in both languages, by
        # tests/browser/test_unit_dashboard.py (the confirmation takes POST only).
        Visit(
            "unit-dashboards-ask-to-log-in",
            "/cong-chuc/don-vi/",
            landing="/dang-nhap/",
            routes=(
                "cong-chuc/don-vi/",
                "cong-chuc/don-vi/<path:code>/",
                "cong-chuc/don-vi/<path:code>/xuat/<slug:what>.<slug:fmt>",
                "cong-chuc/don-vi/<path:code>/xac-nhan-ung-dung/<int:staff_id>/",
            ),
        ),
        # Logged in but on no roster: a 404 that says why, not the fake-link warning.
        Visit("staff-portal-not-on-a-roster", "/cong-chuc/", status=404, as_user="editor"),
        Visit(
            "staff-portal-link-not-valid",
            "/cong-chuc/doc/khong-hop-le/",
            status=404,
            routes=("cong-chuc/doc/<str:token>/", "cong-chuc/doc/<str:token>/chia-se/"),
        ),
        # The digest's one-click unsubscribe: its page for a person is tested in
        # tests/delivery/test_digest_and_unsubscribe.py.
        Visit(
            "digest-unsubscribe-link-not-valid",
            "/thu-tong-hop/huy/khong-hop-le/",
            status=404,
            routes=("thu-tong-hop/huy/<str:token>/",),
        ),
        Visit("not-found", "/danh-ba/kenh/khong-co-kenh-nay/", status=404),
        Visit("not-allowed", "/quan-tri/auth/user/", status=403, as_user="editor"),
        Visit("too-many-requests", served=_error_page(lambda r: rate_limited(r, 60)), status=429),
        Visit("server-error", served=_error_page(server_error), status=500),
        Visit("api-docs", "/api/docs", routes=("api/docs",)),
    ]


def back_office_visits() -> list[Visit]:
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    agency = Agency.objects.get(code="so-tttt-quang-ninh")
    user = get_user_model().objects.get(username="bientap")
    attempt = AccessAttempt.objects.first()
    identity = portal_services.stored_identity()
    version = channel.history.order_by("history_id").first().history_id
    base = "/quan-tri"
    short_password = _fill_and_send(
        {
            "input[name=username]": "nguoi-moi",
            "input[name=password1]": "ngan",
            "input[name=password2]": "ngan",
        },
        "input[name=password2]",
    )
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.first()
    visits = [
        Visit("admin-index", f"{base}/"),
        Visit("admin-channel-change", f"{base}/registry/channel/{channel.pk}/change/"),
        Visit("admin-channel-history", f"{base}/registry/channel/{channel.pk}/history/"),
        Visit("admin-channel-version", f"{base}/registry/channel/{channel.pk}/history/{version}/"),
        Visit("admin-agency-change", f"{base}/registry/agency/{agency.pk}/change/"),
        Visit("admin-agency-history", f"{base}/registry/agency/{agency.pk}/history/"),
        Visit("admin-user-change", f"{base}/auth/user/{user.pk}/change/"),
        Visit("admin-user-password", f"{base}/auth/user/{user.pk}/password/"),
        Visit("admin-user-add", f"{base}/auth/user/add/"),
        Visit("admin-user-add-short-password", f"{base}/auth/user/add/", act=short_password),
        Visit("admin-role", f"{base}/auth/group/{Group.objects.first().pk}/change/"),
        Visit("admin-lock-out", f"{base}/axes/accessattempt/{attempt.pk}/change/"),
        Visit("admin-task", f"{base}/django_tasks_database/dbtaskresult/{task.pk}/change/"),
        Visit("admin-identity-change", f"{base}/portal/siteidentity/{identity.pk}/change/"),
        Visit("admin-channel-delete", f"{base}/registry/channel/{channel.pk}/delete/"),
        # Lists the rows linking the person to a role, which Django names in English.
        Visit("admin-user-delete", f"{base}/auth/user/{user.pk}/delete/"),
        *_organisation_visits(base),
        *_bulletin_visits(base),
    ]
    from django.contrib import admin

    for model in admin.site._registry:
        opts = model._meta
        name = f"admin-{opts.app_label}-{opts.model_name}-list"
        visits.append(Visit(name, f"{base}/{opts.app_label}/{opts.model_name}/"))
    return visits


def _upload_roster(name: str, content: bytes):
    def act(page):
        page.locator("input[name=file]").set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": content}
        )
        with page.expect_navigation():
            page.locator("input[name=file]").evaluate("el => el.form.requestSubmit()")

    return act


BAD_ROSTER = (
    "name,unit,category,email,phone\n"
    "Nguyễn Văn An,KHONG-CO,CB,an@quangninh,0123\n"
    ",CP,XX,an@quangninh.gov.vn,\n"
).encode()
ROSTER = (
    "name,unit,category,email,phone\n"
    "Nguyễn Văn An,Tỉnh Quảng Ninh / Thành phố Cẩm Phả,CB,an.nv@quangninh.gov.vn,0912 345 678\n"
    "Trần Thị Bình,CP,CC,binh@quangninh.gov.vn,\n"
).encode()


def _organisation_visits(base: str) -> list[Visit]:
    """Units and staff: the import pages (a preview, bad rows) and a person's page."""
    from chinhthong.reach.models import StaffMember

    person = StaffMember.objects.get(email="an.nv@quangninh.gov.vn")
    staff = f"{base}/reach/staffmember"
    return [
        Visit("admin-unit-import", f"{base}/reach/unit/import/"),
        Visit(
            "admin-staff-import-problems",
            f"{staff}/import/",
            act=_upload_roster("a.csv", BAD_ROSTER),
        ),
        Visit(
            "admin-staff-import-preview", f"{staff}/import/", act=_upload_roster("b.csv", ROSTER)
        ),
        Visit("admin-staff-change", f"{staff}/{person.pk}/change/"),
        Visit("admin-staff-history", f"{staff}/{person.pk}/history/"),
    ]


def _bulletin_visits(base: str) -> list[Visit]:
    """A draft with its picture (its form, preview, confirmation, time), and a corrected
    bulletin (its page, a version, the correction's form)."""
    from chinhthong.bulletins.models import Bulletin

    draft = Bulletin.objects.get(status="draft")
    published = Bulletin.objects.get(status="published")
    bulletins = f"{base}/bulletins/bulletin"
    return [
        Visit("admin-bulletin-add", f"{bulletins}/add/"),
        Visit("admin-bulletin-draft", f"{bulletins}/{draft.pk}/change/"),
        Visit("admin-bulletin-preview", f"{bulletins}/{draft.pk}/preview/"),
        Visit("admin-bulletin-publish", f"{bulletins}/{draft.pk}/publish/"),
        Visit("admin-bulletin-schedule", f"{bulletins}/{draft.pk}/schedule/"),
        Visit("admin-bulletin-published", f"{bulletins}/{published.pk}/change/"),
        Visit("admin-bulletin-version", f"{bulletins}/{published.pk}/versions/2/"),
        Visit("admin-bulletin-correct", f"{bulletins}/{published.pk}/correct/"),
        Visit("admin-attachment-add", f"{base}/bulletins/attachment/add/?bulletin={draft.pk}"),
    ]


def _bulletins() -> None:
    """A draft naming its attached picture, and a published bulletin corrected once."""
    from chinhthong.bulletins import attachments
    from chinhthong.bulletins import services as bulletins
    from tests.portal.pictures import png

    body = "Mưa **rất lớn** từ 18 giờ.\n\n![Vùng ngập](vung-ngap.png)"
    draft = bulletins.Draft(title="Mưa lớn tại Cẩm Phả", body_markdown=body, tags=["thời tiết"])
    draft = bulletins.create_draft(draft, actor=None)
    attachments.add_attachment(draft, name="vung-ngap.png", data=png(), actor=None)
    first = bulletins.Draft(title="Số tổng đài hỗ trợ", body_markdown="Gọi 1900 0000.")
    published = bulletins.create_draft(first, actor=None)
    bulletins.publish(published, actor=None)
    fixed = bulletins.Draft(title="Số tổng đài hỗ trợ", body_markdown="Gọi 1900 1234.")
    bulletins.correct(published, fixed, actor=None, significant=True, change_note="Sửa số tổng đài")


def public_routes() -> set[str]:
    """The URL patterns of the site outside NOT_PAGES."""

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                yield route

    return {r for r in walk(get_resolver().url_patterns) if not r.startswith(NOT_PAGES)}


def test_every_public_page_is_visited(db, default_registry):
    covered = {route for visit in public_visits() for route in visit.routes}
    missing = public_routes() - covered
    assert not missing, f"add a Visit for each page: {sorted(missing)}"


def _session(user) -> dict:
    """A session of ``user``, logged in through the log-in page as a browser does."""
    client = Client(HTTP_USER_AGENT=BROWSER, HTTP_ACCEPT="text/html")
    response = client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value}


def _walk(browser, base: str, visits: list[Visit], sessions: dict, user: str | None) -> list[str]:
    problems = []
    for language, locale in LANGUAGES.items():
        for width in WIDTHS:
            # Each run of the pages is one person's visit: the rate limits (20 log-ins a
            # minute) count from zero for it, as for the next person: both this process's
            # count and the shared one in the cache, which outlives a quick run.
            cache.clear()
            LIMITER.reset()
            context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
            cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
            context.add_cookies(cookies + ([{**sessions[user], "url": base}] if user else []))
            page = context.new_page()
            page.set_default_timeout(15_000)
            for visit in visits:
                problems += _visit(page, base, visit, language, width, sessions, user)
            context.close()
    return problems


def _visit(page, base, visit: Visit, language: str, width: int, sessions, user) -> list[str]:
    where = f"{language} {width}px {visit.name}"
    if visit.as_user:
        page.context.add_cookies([{**sessions[visit.as_user], "url": base}])
    if visit.served:
        status, html = visit.served(language)
        page.route(
            f"{base}/__{visit.name}__",
            lambda route: route.fulfill(
                status=status, body=html, content_type="text/html; charset=utf-8"
            ),
        )
        response = page.goto(f"{base}/__{visit.name}__")
    else:
        response = page.goto(base + visit.path)
    if visit.act:
        visit.act(page)
        response = None
    page.wait_for_load_state("networkidle")
    problems = []
    if response is not None and response.status != visit.status:
        problems.append(f"answered {response.status}, not {visit.status}: {where}")
    if visit.landing and not page.url.startswith(base + visit.landing):
        problems.append(f"ended on {page.url}, not {visit.landing}: {where}")
    lang = page.evaluate("document.documentElement.lang")
    if not lang.startswith(language) and visit.name not in ENGLISH_BY_DESIGN:
        problems.append(f"<html lang={lang!r}>: {where}")
    screenshot(page, f"{language}-{width}-{visit.name}")
    scroll_width, window, wide = page.evaluate(OVERFLOW_JS)
    if scroll_width > window:
        problems.append(
            f"{scroll_width} px wide in a {window} px window ({', '.join(wide)}): {where}"
        )
    if language == "vi" and visit.name not in ENGLISH_BY_DESIGN:
        for text, marked, tag in page.evaluate(TEXTS_JS):
            if marked and not marked.startswith("vi"):
                continue
            why = why_english(text, configured_names())
            if why:
                problems.append(f"{text[:100]!r} <{tag}> is English ({why}): {where}")
    if visit.as_user:
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
            + ([{**sessions[user], "url": base}] if user else [])
        )
    return problems


def _report(problems: list[str]) -> str:
    """Each problem once, with the pages it was seen on."""
    seen: dict[str, list[str]] = {}
    for problem in problems:
        what, _colon, where = problem.rpartition(": ")
        seen.setdefault(what or problem, []).append(where)
    lines = [
        f"{what} — {len(pages)}×: {', '.join(dict.fromkeys(pages[:4]))}"
        for what, pages in seen.items()
    ]
    return f"{len(lines)} problems:\n" + "\n".join(lines)


def test_public_pages(browser, live_server, default_registry, editor):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/dang-nhap/", {"username": "bi-khoa", "password": "sai-mat-khau"})
    sessions = {"editor": _session(editor)}
    problems = _walk(browser, live_server.url, public_visits(), sessions, None)
    assert not problems, _report(problems)


@pytest.fixture
def back_office_records(default_registry, editor, administrator):
    """What the back office's pages show: a change of a channel with its reason, a lock-out,
    log-ins, and a task in the database queue."""
    client = Client(HTTP_USER_AGENT=BROWSER, HTTP_ACCEPT="text/html")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/dang-nhap/", {"username": "bientap", "password": "sai-mat-khau"})
    accounts.create_user("canbo-1", PASSWORD, role=roles.STAFF)
    blocklists.import_file(b"https://lua-dao.example/\nlua-dao-2.example\n", "plain", "tay")
    known_sites.add("baolaodong.vn", "Báo Lao Động")
    api_keys.create("cong-thu")
    # The site's identity as setup gives it: its back-office page. (Its history shows the
    # English name fields' values, which are English by design.)
    portal_services.load_default_identity()
    from chinhthong.reach import importers, staff_import

    units = "code,name,parent_code\nQN,Tỉnh Quảng Ninh,\nCP,Thành phố Cẩm Phả,QN\n"
    importers.import_units(units.encode(), "don-vi.csv")
    roster = "name,unit,category,email\nNguyễn Văn An,CP,CB,an.nv@quangninh.gov.vn\n"
    staff_import.import_staff(roster.encode(), "can-bo.csv")
    _bulletins()
    from chinhthong.registry.tasks import rebuild_snapshot

    queued = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    with override_settings(TASKS={"default": queued}):
        rebuild_snapshot.enqueue()
    return administrator


def _change_a_channel_with_a_reason(browser, base: str, session: dict) -> None:
    """A change through the back office's form, with its reason; the history shows both."""
    channel = Channel.objects.get(slug="web-cong-thong-tin-cong-chuc")
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.add_cookies([{**session, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/quan-tri/registry/channel/{channel.pk}/change/")
    page.locator("#id_status").select_option("retired")
    page.get_by_label("Lý do thay đổi").fill(REASON)
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    page.goto(f"{base}/quan-tri/registry/channel/{channel.pk}/history/")
    history = page.locator("#change-history")
    assert REASON in history.inner_text()
    context.close()
    channel.refresh_from_db()
    assert channel.status == "retired"


def test_back_office_pages(browser, live_server, back_office_records):
    sessions = {"administrator": _session(back_office_records)}
    _change_a_channel_with_a_reason(browser, live_server.url, sessions["administrator"])
    visits = back_office_visits()
    problems = _walk(browser, live_server.url, visits, sessions, "administrator")
    assert not problems, _report(problems)
