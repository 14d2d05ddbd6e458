"""The public pages' layout in Chromium, at a phone's width (390 px) and a desktop's (1280 px):
every Vietnamese letter drawn by the fonts the site serves (none from the machine), no word
broken inside a syllable, the navigation in at most two rows on a phone, no button wrapped on
a desktop, no heading without something under it, a 10,001-character input refused with its
length alone, and no input however long widening a page. Screenshots go to test-artifacts/
(layout-…)."""

import re
import unicodedata
from urllib.parse import quote

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chinhthong.checks.services import MAX_INPUT_CHARS
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
SCAM = "Sở Y tế thông báo: truy cập https://syt-quangninh.top/ho-tro để nhận hỗ trợ khẩn cấp"
# Every letter of Vietnamese: the twelve vowels with each of the six tones, and đ.
VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
LETTERS = "".join(unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES) + "đ"
# Links as people paste them, with no space to wrap at: 100 and 160 characters (a tracking
# link, a shared article), and an input just over the limit.
LINK_100 = "https://www.facebook.com/share/p/" + "AbCdEfGhIj" * 5 + "K?mibextid=xfxF2i"
LINK_160 = "https://www.facebook.com/share/p/" + "AbCdEfGhIj" * 11 + "K?mibextid=xfxF2i"
TOO_LONG = "a" * (MAX_INPUT_CHARS + 1)
LONG_INPUTS = {"100": LINK_100, "160": LINK_160, "10001": TOO_LONG}


def public_pages() -> list[str]:
    """The pages a resident sees (the API's documentation is Swagger UI's, for developers)."""
    return [
        "/",
        "/kiem-tra/",
        "/kiem-tra/?q=quangninh-gov.vn",
        "/kiem-tra/?q=https%3A%2F%2Fcongchuc.quangninh.gov.vn%2Fvan-ban",
        "/kiem-tra/?q=" + SCAM.replace(" ", "+"),
        "/kiem-tra/?q=" + quote(LINK_160, safe=""),
        "/danh-ba/",
        "/danh-ba/?status=with_pending",
        "/danh-ba/kenh/facebook-ddci-quang-ninh/",
        "/danh-ba/kenh/facebook-thong-tin-chinh-phu/",
        "/danh-ba/co-quan/so-tttt-quang-ninh/",
        reverse("portal:report"),
        "/dang-nhap/",
    ]


def name_of(path: str) -> str:
    """A file name for the page's screenshot: its address, shortened."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:48] or "home"


def open_page(page, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + path)
    page.evaluate("document.fonts.ready.then(() => true)")


def check(page, text: str) -> None:
    page.goto(page.base + "/kiem-tra/")
    box = page.get_by_label("Đường dẫn, tên miền, địa chỉ thư hoặc nội dung tin nhắn")
    box.fill(text)
    box.press("Enter")
    page.wait_for_load_state()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# --- Fonts -------------------------------------------------------------------------------


def fonts_drawing(page, selector: str) -> set[str]:
    """The families of the fonts Chromium really used for the text of the element (DevTools'
    platform fonts), each marked "(web)" when the page loaded it: a letter missing from the
    page's font is drawn by a fallback font of the machine."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {
        " ".join(font["familyName"].split()[:3]) + (" (web)" if font["isCustomFont"] else "")
        for font in used
    }


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_every_vietnamese_letter_is_drawn_by_the_sites_own_fonts(page, default_registry, form):
    """Tone marks sat beside their letters in the monospace boxes, drawn by whatever font the
    machine had; decomposed text (a base letter, then its marks) is what phones often send."""
    fonts = []
    page.on(
        "request",
        lambda request: fonts.append(request.url) if request.resource_type == "font" else None,
    )
    text = unicodedata.normalize(form, f"{LETTERS} {LETTERS.upper()}")
    check(page, text)
    page.evaluate("document.fonts.ready.then(() => true)")
    assert fonts_drawing(page, ".checked code") == {"Noto Sans Mono (web)"}
    for selector in ("h1", ".lead", "label", ".verdict-banner"):
        assert fonts_drawing(page, selector) == {"Be Vietnam Pro (web)"}, selector
    assert fonts and all(url.startswith(page.base + "/static/chinhthong/fonts/") for url in fonts)
    page.locator(".checked").scroll_into_view_if_needed()
    screenshot(page, f"layout-vietnamese-letters-{form}")


# --- Words, rows and buttons ---------------------------------------------------------------

# Words of running text (letters only: an address or a number is not a word) drawn on more
# than one line. Text in a form's own boxes is left out.
BROKEN_WORDS_JS = r"""() => {
  const broken = [];
  const skip = "textarea, input, select, option, script, style, noscript";
  const lines = (rects) => {
    const rows = [];
    for (const r of rects) {
      if (r.width === 0 || r.height === 0) continue;
      if (!rows.some((row) => r.top < row.bottom - 1 && r.bottom > row.top + 1)) rows.push(r);
    }
    return rows.length;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip) || !el.checkVisibility()) continue;
    const re = /\S+/g;
    let m;
    while ((m = re.exec(node.textContent))) {
      const token = m[0];
      const word = token.replace(/^[^\p{L}]+|[^\p{L}\p{M}]+$/gu, "");
      if (!word || !/^[\p{L}\p{M}]+$/u.test(word)) continue;
      const start = m.index + token.indexOf(word);
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + word.length);
      if (lines(range.getClientRects()) > 1) broken.push(word);
    }
  }
  return broken;
}"""

# How many rows the header's navigation (its links, buttons and the language switch) takes.
NAVIGATION_ROWS_JS = """() => {
  const items = [...document.querySelectorAll(
    "header.site nav a, header.site nav button, header.site .lang button")]
    .filter((el) => el.checkVisibility());
  const rows = [];
  for (const r of items.map((el) => el.getBoundingClientRect()).sort((a, b) => a.top - b.top)) {
    if (!rows.some((row) => r.top < row.bottom - 2 && r.bottom > row.top + 2)) rows.push(r);
  }
  return [items.length, rows.length];
}"""

# Buttons whose label runs onto a second line.
WRAPPED_BUTTONS_JS = """() => {
  const wrapped = [];
  const all = document.querySelectorAll("button, .button, .share-button, [role=button]");
  for (const button of all) {
    if (!button.checkVisibility()) continue;
    const rows = [];
    const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width === 0 || r.height === 0) continue;
        if (!rows.some((row) => r.top < row.bottom - 1 && r.bottom > row.top + 1)) rows.push(r);
      }
    }
    if (rows.length > 1) wrapped.push(button.textContent.trim());
  }
  return wrapped;
}"""


def test_no_word_is_broken_inside_a_syllable(page, default_registry):
    for width in WIDTHS:
        for path in public_pages():
            open_page(page, path, width)
            assert page.evaluate(BROKEN_WORDS_JS) == [], f"{path} at {width} px"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            screenshot(page, f"layout-{width}-{name_of(path)}")


def test_a_message_in_the_result_box_wraps_between_words(page, default_registry):
    page.set_viewport_size({"width": 390, "height": 900})
    check(page, SCAM + " " + SCAM)
    expect(page.locator(".checked code")).to_contain_text("thông báo")
    # The box is narrower than the message: it takes several lines, none cutting a word.
    lines = page.locator(".checked code").evaluate(
        """e => { const r = document.createRange(); r.selectNodeContents(e);
                  return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; }"""
    )
    assert lines > 1
    assert page.evaluate(BROKEN_WORDS_JS) == []
    screenshot(page, "layout-390-message-result")


def test_the_phone_navigation_takes_at_most_two_rows(page, editor, default_registry):
    for path in ("/", "/danh-ba/"):
        open_page(page, path, 390)
        items, rows = page.evaluate(NAVIGATION_ROWS_JS)
        assert items >= 4 and rows <= 2, (path, items, rows)
    screenshot(page, "layout-390-navigation")
    page.goto(page.base + "/dang-nhap/?next=/")  # an editor would land in the back office
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    logout = page.get_by_role("button", name="Đăng xuất (bientap)")
    expect(logout).to_be_visible()
    items, rows = page.evaluate(NAVIGATION_ROWS_JS)
    assert items >= 5 and rows <= 2, (items, rows)
    screenshot(page, "layout-390-navigation-signed-in")


def test_no_button_wraps_on_a_desktop(page, default_registry):
    for path in public_pages():
        open_page(page, path, 1280)
        assert page.evaluate(WRAPPED_BUTTONS_JS) == [], path


def test_a_result_shows_a_heading_only_with_something_under_it(page, default_registry):
    for text in ("https://congchuc.quangninh.gov.vn/", "quangninh-gov.vn", SCAM, "zzzz"):
        check(page, text)
        expect(page.locator(".result")).to_be_visible()
        for heading in page.locator(".result h3").all():
            content = heading.evaluate("h => h.nextElementSibling?.innerText.trim() || ''")
            assert content, f"“{heading.inner_text()}” is empty for {text}"


def test_an_input_of_10001_characters_is_refused_with_its_length_alone(page, default_registry):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(page.base + "/kiem-tra/")
    box = page.get_by_label("Đường dẫn, tên miền, địa chỉ thư hoặc nội dung tin nhắn")
    # Pasted whole: the page does not cut it to the limit and check what is left.
    box.fill("a" * (MAX_INPUT_CHARS + 1))
    assert box.evaluate("b => b.value.length") == MAX_INPUT_CHARS + 1
    box.press("Enter")
    errors = page.locator("form.check .error")
    expect(errors).to_have_count(1)
    expect(errors).to_contain_text(str(MAX_INPUT_CHARS + 1))
    expect(page.locator(".result")).to_have_count(0)
    # The box keeps the text, holds the focus and names its error.
    expect(box).to_be_focused()
    assert box.evaluate("b => b.value.length") == MAX_INPUT_CHARS + 1
    described = box.get_attribute("aria-describedby") or ""
    assert any(page.locator(f"#{i}").count() for i in described.split()), described
    screenshot(page, "layout-390-input-too-long")


# --- Long inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("size", LONG_INPUTS)
def test_a_long_input_never_makes_a_page_wider_than_the_screen(page, default_registry, width, size):
    """A box that grows with its text made the check page as wide as a pasted link: 792 px
    for 100 characters at 390 px, about 95,000 px for 10,001. While typing, and after the
    answer comes back with the box refilled, the page stays as wide as the screen."""
    text = LONG_INPUTS[size]
    assert len(text) == int(size) and " " not in text
    for path, label in (
        ("/kiem-tra/", "Đường dẫn, tên miền, địa chỉ thư hoặc nội dung tin nhắn"),
        ("/", "Đường dẫn, tên miền, địa chỉ thư hoặc nội dung tin nhắn"),
    ):
        open_page(page, path, width)
        box = page.get_by_label(label).first
        box.fill(text)
        assert page_width(page) <= width, f"typing into {path}"
        box.press("Enter")
        page.wait_for_load_state()
        expect(page.locator("form.check textarea")).to_have_value(text)
        assert page_width(page) <= width, f"after checking from {path}"
        # The box still shows its text whole, scrolled inside itself, and ends on the screen.
        right = page.locator("form.check textarea").evaluate("b => b.getBoundingClientRect().right")
        assert right <= width
    screenshot(page, f"layout-{width}-long-input-{size}")
