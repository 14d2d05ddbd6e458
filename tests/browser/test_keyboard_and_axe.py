"""The public pages with a keyboard and with axe-core, in Chromium.

On the check page Enter checks a one-line input and Shift+Enter starts a new line of a
message; the focus moves to the verdict when it appears; every control Tab reaches shows a
focus ring of at least 3:1 against what is around it; and axe-core (the npm package pinned in
tests/browser/axe, installed by `scripts/install-system-deps test`) finds no violation of
WCAG 2.1 A or AA on any public page, in either language, at either width."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_layout import SCAM, public_pages
from tests.verify.engines import CORPUS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LABEL = "Đường dẫn, tên miền, địa chỉ thư hoặc nội dung tin nhắn"


def verdict_has_focus(page) -> bool:
    return page.evaluate("document.activeElement?.id") == "verdict-heading"


# --- Enter, Shift+Enter and the verdict's focus ----------------------------------------------


def test_enter_checks_a_one_line_input_and_the_verdict_takes_the_focus(page, default_registry):
    page.goto(page.base + "/kiem-tra/")
    box = page.get_by_label(LABEL)
    box.click()
    page.keyboard.type("quangninh-gov.vn")
    expect(page.locator("form.check .keys-hint")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator(".result")).to_have_class("result verdict-impersonation")
    expect(page).to_have_url(page.base + "/kiem-tra/?q=quangninh-gov.vn")
    expect(page.locator("#verdict-heading")).to_be_focused()
    # Read first by a screen reader: the verdict itself.
    assert "Giả mạo" in page.evaluate("document.activeElement.innerText")
    screenshot(page, "keyboard-enter-checks")


def test_shift_enter_starts_a_new_line_of_a_message(page, default_registry):
    page.goto(page.base + "/kiem-tra/")
    box = page.get_by_label(LABEL)
    box.click()
    page.keyboard.type("Sở Y tế thông báo:")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("truy cập https://syt-quangninh.top/ho-tro")
    # Nothing was sent: the message has two lines.
    assert box.input_value() == "Sở Y tế thông báo:\ntruy cập https://syt-quangninh.top/ho-tro"
    expect(page.locator(".result")).to_have_count(0)
    # In a message of several lines Enter adds a line too; Ctrl+Enter checks it.
    page.keyboard.press("Enter")
    page.keyboard.type("Hạn chót hôm nay.")
    assert box.input_value().count("\n") == 2
    page.keyboard.press("Control+Enter")
    expect(page.locator(".result")).to_be_visible()
    expect(page).to_have_url(page.base + "/kiem-tra/")  # a message is never put in an address
    expect(page.locator("#verdict-heading")).to_be_focused()
    screenshot(page, "keyboard-message-checked")


def test_the_verdict_of_an_uploaded_email_takes_the_focus(page, default_registry):
    page.goto(page.base + "/kiem-tra/")
    page.get_by_label("…hoặc cả một thư điện tử đã lưu thành tệp .eml").set_input_files(
        str(CORPUS / "eml" / "forged_dmarc_fail.eml")
    )
    page.get_by_role("button", name="Kiểm tra", exact=True).press("Enter")
    expect(page.locator(".result")).to_be_visible()
    assert verdict_has_focus(page)


def test_an_empty_input_keeps_the_focus_in_the_box_with_its_error(page, default_registry):
    page.goto(page.base + "/kiem-tra/")
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".result")).to_have_count(0)
    expect(page.get_by_label(LABEL)).to_be_focused()


# --- The focus ring ---------------------------------------------------------------------------

# The focused element's outline and the colour behind it (the nearest ancestor with a
# background: the ring is drawn outside the element).
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  let behind = [255, 255, 255];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { behind = colour; break; }
  }
  const style = getComputedStyle(el);
  return {
    what: el.outerHTML.slice(0, 90),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    ring: rgb(style.outlineColor),
    behind: behind.slice(0, 3),
  };
}"""


def luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_focus_ring_stands_out_at_least_3_to_1(page, default_registry):
    pages = ["/", "/kiem-tra/?q=quangninh-gov.vn", "/danh-ba/", "/dang-nhap/"]
    seen = 0
    for path in pages:
        page.goto(page.base + path)
        first = None
        for _ in range(80):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_JS)
            if focus is None or focus["what"] == first:
                break
            first = first or focus["what"]
            seen += 1
            assert focus["style"] != "none" and focus["width"] >= 2, (path, focus)
            ratio = contrast(focus["ring"], focus["behind"])
            assert ratio >= 3, (path, round(ratio, 2), focus)
    assert seen > 20  # links, buttons and boxes of four pages
    page.goto(page.base + "/kiem-tra/")
    page.keyboard.press("Tab")  # the keyboard is in use: the ring shows where the focus is
    page.get_by_role("button", name="Kiểm tra", exact=True).focus()
    screenshot(page, "keyboard-focus-ring")


# --- axe-core ---------------------------------------------------------------------------------

AXE_RUN_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    where: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing; run `scripts/install-system-deps test`")
    # Evaluated through DevTools, not as a <script>: the page's policy forbids inline script.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN_JS, WCAG_21_AA)


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_no_wcag_21_aa_violation_on_the_public_pages(page, default_registry, width):
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for language in ("Tiếng Việt", "English"):
        for path in public_pages():
            page.goto(page.base + path)
            if language == "English" and page.locator("html").get_attribute("lang") == "vi":
                page.get_by_role("button", name="English").click()
                page.wait_for_load_state()
            violations = axe_violations(page)
            if violations:
                found[f"{language} {path}"] = violations
    assert found == {}


def test_axe_finds_no_violation_in_states_after_input(page, default_registry):
    """A refused input, a message's result and a signed-out login error."""
    page.goto(page.base + "/kiem-tra/")
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert axe_violations(page) == []
    page.get_by_label(LABEL).fill(SCAM + "\n" + SCAM)
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator(".result")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(page.base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("khong-co")
    page.get_by_label("Mật khẩu").fill("sai")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == []
