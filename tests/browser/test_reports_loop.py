"""The whole loop of a report of false information, in a browser: a resident reports a post
with a screenshot and gets a receipt; a handler triages, decides and refers it; the body's
liaison sees it; the handler publishes the rebuttal, whose ClaimReview JSON-LD parses and
carries the claim, the rating and the date; the resident's tracking page shows the outcome.
Then the handlers' and the liaison's pages, in both languages and at both widths."""

import json

import pytest

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.registry.models import ReportRecipient
from chinhthong.reports.models import Case, Liaison, Report
from tests.browser.conftest import screenshot
from tests.browser.test_every_page_in_both_languages import Visit, _report, _session, _walk
from tests.conftest import PASSWORD
from tests.reports.helpers import png

pytestmark = pytest.mark.django_db(transaction=True)
POST = "https://www.facebook.com/groups/quangninh24h/posts/55501"
CLAIM = "Bài đăng nói UBND tỉnh sẽ phát 2 triệu đồng cho mỗi người, bấm liên kết để đăng ký"


@pytest.fixture
def people(default_registry):
    handler = accounts.create_user("xuly", PASSWORD, role=roles.REPORT_HANDLER)
    liaison = accounts.create_user("pa03", PASSWORD, role=roles.POLICE_LIAISON)
    other = accounts.create_user("thanhtra", PASSWORD, role=roles.POLICE_LIAISON)
    body = ReportRecipient.objects.get(code="pa03-cong-an-quang-ninh")
    Liaison.objects.create(user=liaison, recipient=body)
    Liaison.objects.create(
        user=other, recipient=ReportRecipient.objects.get(code="thanh-tra-so-tttt-quang-ninh")
    )
    return {"handler": handler, "liaison": liaison, "other": other, "body": body}


def _context(browser, base, session=None):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 900})
    if session:
        context.add_cookies([{**session, "url": base}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def test_a_report_goes_from_a_resident_to_a_rebuttal(browser, live_server, people):
    base = live_server.url
    # A resident reports the post with a screenshot, and gets a receipt.
    context, page = _context(browser, base)
    page.goto(f"{base}/bao-tin-gia/")
    page.get_by_label("Liên kết").fill(POST)
    page.get_by_label("Bài đăng nói gì?").fill(CLAIM)
    page.locator("input[name=screenshots]").set_input_files(
        {"name": "chup-man-hinh.png", "mimeType": "image/png", "buffer": png()}
    )
    page.get_by_label("Email của bạn").fill("nguoidan@example.vn")
    page.locator("input[name=consent]").check()
    _submit(page, "Gửi phản ánh")
    code = page.locator(".tracking-code").inner_text()
    assert code.startswith("TG-") and Report.objects.get().tracking_code == code
    screenshot(page, "reports-receipt")
    resident = page

    # A handler triages, decides and refers it.
    staff, page = _context(browser, base, _session(people["handler"]))
    page.goto(f"{base}/xu-ly/")
    case = Case.objects.get()
    page.get_by_role("link", name=case.number).click()
    page.wait_for_load_state()
    assert CLAIM in page.inner_text(".case-reports")
    assert "nguoidan@example.vn" in page.inner_text(".case-reports")  # handlers see contacts
    page.locator("#next-state").select_option("triage")
    _submit(page, "Chuyển")
    page.get_by_label("Tin giả").check()
    page.locator("#finding").fill("Văn phòng UBND tỉnh xác nhận không có chương trình này.")
    _submit(page, "Ghi nhận kết luận")
    page.locator("#refer-to").select_option(people["body"].code)
    page.locator("#refer-note").fill("Đề nghị xử lý tài khoản đăng tin.")
    _submit(page, "Chuyển xử lý")
    assert "Phòng PA03" in page.inner_text(".referrals")
    screenshot(page, "reports-case-referred")

    # The body's liaison sees it; another body's liaison does not.
    police, page = _context(browser, base, _session(people["liaison"]))
    page.goto(f"{base}/chuyen-xu-ly/")
    assert case.number in page.inner_text("main")
    page.get_by_role("link", name=case.number).first.click()
    page.wait_for_load_state()
    assert "nguoidan@example.vn" not in page.content()  # the reporter stays unnamed
    screenshot(page, "reports-liaison-case")
    police.close()
    inspectorate, page = _context(browser, base, _session(people["other"]))
    page.goto(f"{base}/chuyen-xu-ly/")
    assert case.number not in page.inner_text("main")
    assert page.goto(f"{base}/chuyen-xu-ly/{case.number}/").status == 404
    inspectorate.close()

    # The handler publishes the rebuttal; its ClaimReview parses and says what it must.
    page = staff.pages[0]
    page.locator("#rebuttal-title").fill("Không có chương trình phát 2 triệu đồng mỗi người")
    page.locator("#rebuttal-text").fill("UBND tỉnh **không** phát tiền qua liên kết.")
    _submit(page, "Đăng")
    page.get_by_role("link", name="Mở trang công khai").click()
    page.wait_for_load_state()
    data = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == CLAIM
    assert data["reviewRating"]["alternateName"] == "Tin giả"
    assert data["datePublished"][:4].isdigit()
    screenshot(page, "reports-rebuttal")
    staff.close()

    # The resident's tracking page shows the outcome and the rebuttal.
    resident.goto(f"{base}/bao-tin-gia/tra-cuu/{code}/")
    assert "Tin giả" in resident.inner_text(".report-status")
    assert resident.get_by_role("link", name="Đọc thông tin đã xác minh").count() == 1
    screenshot(resident, "reports-tracking-outcome")
    context.close()


def test_handler_and_liaison_pages_in_both_languages(browser, live_server, people):
    from tests.reports.helpers import report

    made = report(claim=CLAIM, links=[POST])
    case = made.case
    from chinhthong.reports import handling, referrals
    from chinhthong.reports.models import Verdict

    handling.decide(case, actor=people["handler"], verdict=Verdict.FALSE, finding="Đã xác minh.")
    referrals.refer(case, people["body"], actor=people["handler"], note="Đề nghị xử lý")
    sessions = {"xuly": _session(people["handler"]), "pa03": _session(people["liaison"])}
    handler_pages = [
        Visit("reports-queue", "/xu-ly/"),
        Visit("reports-queue-decided", "/xu-ly/?state=decided"),
        Visit("reports-case", f"/xu-ly/vu-viec/{case.number}/"),
        Visit("reports-figures", "/xu-ly/thong-ke/"),
    ]
    problems = _walk(browser, live_server.url, handler_pages, sessions, "xuly")
    liaison_pages = [
        Visit("referrals", "/chuyen-xu-ly/"),
        Visit("referral-case", f"/chuyen-xu-ly/{case.number}/"),
    ]
    problems += _walk(browser, live_server.url, liaison_pages, sessions, "pa03")
    assert not problems, _report(problems)
