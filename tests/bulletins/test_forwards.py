""" "Có phải bản tin thật?": a forward of a bulletin — retyped without diacritics, trimmed, with
emoji, other line breaks or a link swapped — is traced to its bulletin and version, and what
was altered, added and cut is listed in the bulletin's words. The comparison's functions
(bulletins/diffs.py, bulletins/forwards.py) alone, then the page through HTTP."""

import pytest
from django.apps import apps
from django.test import Client

from chinhthong.bulletins import diffs, forwards
from tests.bulletins.public_bulletins import correct, publish

TEXT = (
    "Cảnh báo lừa đảo qua Zalo\n\n"
    "Không bấm vào đường link lạ, không cung cấp mã OTP.\n\n"
    "Các đối tượng giả danh cơ quan nhà nước gửi tin nhắn qua Zalo, yêu cầu người dân bấm "
    "vào đường link lạ để cập nhật thông tin định danh. Thông tin chính thức chỉ có tại "
    "https://quangninh.gov.vn/thong-bao và đường dây nóng 113.\n\n"
    "Khi phát hiện dấu hiệu lừa đảo, báo ngay cho Công an phường."
)


def _version(text=TEXT, *, bulletin=1, number=1, slug="canh-bao") -> forwards.VersionText:
    return forwards.VersionText(bulletin, slug, number, text.split("\n")[0], text)


def _index(*versions) -> forwards.ForwardIndex:
    return forwards.ForwardIndex(versions or [_version()])


# --- words and their comparison -------------------------------------------------------------
def test_words_are_compared_lowercase_without_diacritics_and_links_by_address():
    found = diffs.tokens("Đường LINK lạ 🔥 https://QuangNinh.gov.vn/thong-bao/ v.v. TP.HCM")
    assert [t.norm for t in found] == [
        "duong",
        "link",
        "la",
        "",
        "link quangninh.gov.vn/thong-bao",
        "vv",
        "tphcm",
    ]
    assert diffs.link_key("www.quangninh.gov.vn.") == "quangninh.gov.vn"
    assert diffs.link_key("http://10.0.0.1/dang-nhap") == "10.0.0.1/dang-nhap"
    assert diffs.link_key("1.000") is None and diffs.link_key("v.v.") is None


def test_the_text_of_a_body_keeps_its_paragraphs():
    html = "<h2>Tiêu đề</h2><p>Một <strong>hai</strong> ba<br>bốn</p><ul><li>a</li><li>b</li></ul>"
    assert diffs.plain_text(html) == "Tiêu đề\n\nMột hai ba\nbốn\n\na\nb"
    assert diffs.links('<p><a href="https://a.vn/">a</a> <img src="/x.png" alt=""></p>') == [
        "https://a.vn/",
        "/x.png",
    ]


def test_a_word_diff_marks_what_was_removed_and_added_and_shortens_the_rest():
    words = " ".join(f"từ{n}" for n in range(40))
    segments = diffs.word_diff(f"Gọi 113 ngay. {words}", f"Gọi 114 ngay. {words} hết.")
    kinds = [(s.kind, s.text) for s in segments]
    assert kinds[:4] == [
        ("equal", "Gọi"),
        ("delete", "113"),
        ("insert", "114"),
        ("equal", "ngay. từ0 từ1 từ2 từ3 từ4 từ5 từ6"),
    ]
    assert ("gap", str(40 - 7 - 8)) in kinds
    assert kinds[-1] == ("insert", "hết.")
    # A diacritic corrected between versions is a change.
    assert diffs.changed(diffs.word_diff("gọi công an", "gọi cong an"))


# --- tracing a forward ----------------------------------------------------------------------
def test_a_forward_retyped_without_diacritics_is_identical_in_words():
    retyped = diffs.join(diffs.tokens(TEXT)).replace("\n", " ")
    plain = "".join(
        ch
        for ch in __import__("unicodedata").normalize("NFD", retyped)
        if ord(ch) < 0x300 or ord(ch) > 0x36F
    )
    plain = plain.replace("đ", "d").replace("Đ", "D")
    found = forwards.analyse(plain, _index())
    assert found.match is not None
    assert found.match.forward_share == 100 and found.match.source_share == 100
    assert found.match.changes == [] and found.match.identical
    assert found.match.diacritics_dropped > 40


def test_a_trimmed_forward_with_emoji_and_a_swapped_link_is_traced_and_its_changes_listed():
    forward = (
        "🔥🔥 TIN KHẨN!!\n"
        "Khong bam vao duong link la, khong cung cap ma OTP. "
        "Các đối tượng giả danh cơ quan nhà nước gửi tin nhắn qua Zalo, yêu cầu người dân bấm "
        "vào đường link lạ để cập nhật thông tin định danh. Thông tin chính thức chỉ có tại "
        "https://quangninh-gov.vn/thong-bao và đường dây nóng 1133."
    )
    match = forwards.analyse(forward, _index()).match
    assert match is not None and match.source.slug == "canh-bao"
    kinds = [(c.kind, c.original, c.forward) for c in match.changes]
    assert (
        "altered",
        "https://quangninh.gov.vn/thong-bao",
        "https://quangninh-gov.vn/thong-bao",
    ) in kinds
    assert ("altered", "113.", "1133.") in kinds
    assert ("cut_end", "Khi phát hiện dấu hiệu lừa đảo, báo ngay cho Công an phường.", "") in kinds
    assert not match.unaltered
    start = next(c for c in match.changes if c.kind in ("cut_start", "added", "altered"))
    assert start.original == "Cảnh báo lừa đảo qua Zalo" and start.forward == "TIN KHẨN!!"
    assert match.symbols_added == ["🔥"]
    assert match.new_links == ["https://quangninh-gov.vn/thong-bao"]
    assert match.diacritics_dropped == 8  # Không bấm vào đường lạ, không cấp mã


def test_the_bulletins_own_page_shared_by_a_staff_member_is_not_a_new_link():
    page = "link thongtin.example.gov.vn/ban-tin/canh-bao"
    version = forwards.VersionText(1, "canh-bao", 1, "Cảnh báo", TEXT, link_keys=frozenset({page}))
    forward = TEXT + "\nXem: https://thongtin.example.gov.vn/ban-tin/canh-bao/?s=Ab3_x9 "
    forward += "https://thongtin.example.gov.vn/ban-tin/gia-mao/?s=Ab3_x9"
    match = forwards.analyse(forward, _index(version)).match
    assert match.new_links == ["https://thongtin.example.gov.vn/ban-tin/gia-mao/?s=Ab3_x9"]


def test_words_given_other_diacritics_are_listed_with_the_bulletins_wording():
    forward = TEXT.replace("lừa đảo", "lửa đạo").replace("Cảnh báo", "Canh bao")
    match = forwards.analyse(forward, _index()).match
    assert [(c.kind, c.original, c.forward) for c in match.changes] == [
        ("diacritics", "lừa", "lửa"),
        ("diacritics", "đảo", "đạo"),
        ("diacritics", "lừa", "lửa"),
        ("diacritics", "đảo,", "đạo,"),
    ]
    assert match.diacritics_dropped == 2 and not match.unaltered


def test_words_added_in_the_middle_and_cut_from_it():
    forward = TEXT.replace(
        "gửi tin nhắn qua Zalo", "gửi tin nhắn qua Zalo và Facebook mỗi ngày"
    ).replace("để cập nhật thông tin định danh.", "")
    match = forwards.analyse(forward, _index()).match
    kinds = [(c.kind, c.original or c.forward) for c in match.changes]
    assert ("added", "và Facebook mỗi ngày,") in kinds
    assert ("cut", "để cập nhật thông tin định danh.") in kinds
    added = next(c for c in match.changes if c.kind == "added")
    assert (added.before, added.after) == ("tin nhắn qua Zalo,", "yêu cầu người dân")


def test_the_version_it_came_from_is_named():
    second = TEXT.replace("113", "0203.3835.444")
    index = _index(_version(), _version(second, number=2))
    old = forwards.analyse(TEXT, index).match
    assert (old.source.number, old.latest.number, old.outdated) == (1, 2, True)
    new = forwards.analyse(second, index).match
    assert (new.source.number, new.outdated, new.identical) == (2, False, True)
    excerpt = forwards.analyse(second.split("\n\n", 2)[2], index).match
    assert excerpt.unaltered and not excerpt.identical
    assert [c.kind for c in excerpt.changes] == ["cut_start"]


def test_an_unrelated_text_matches_nothing_and_its_links_are_all_given():
    index = _index(
        _version(),
        _version(
            "Lịch tiêm chủng tuần này tại các phường của thành phố Hạ Long.",
            bulletin=2,
            slug="lich-tiem",
        ),
    )
    found = forwards.analyse(
        "Chúc mừng bạn trúng thưởng iPhone, nhận quà tại https://qua-tang.example.top "
        "ngay hôm nay nhé",
        index,
    )
    assert found.match is None and not found.too_short
    assert found.links == ["https://qua-tang.example.top"]
    assert forwards.analyse("Cảnh báo", index).too_short


def test_the_source_is_found_among_many_bulletins():
    many = [
        _version(
            f"Bản tin số {n}: lịch làm việc của phường {n} trong tuần, người dân đến đúng giờ "
            f"và mang theo giấy tờ tùy thân số {n * 7}.",
            bulletin=n,
            slug=f"ban-tin-{n}",
        )
        for n in range(2, 600)
    ]
    index = forwards.ForwardIndex([*many, _version()])
    assert len(index) == 599
    match = forwards.analyse(
        "khong bam vao duong link la, khong cung cap ma OTP. " * 2, index
    ).match
    assert match is not None and match.source.slug == "canh-bao"
    other = forwards.analyse(
        "Ban tin so 321: lich lam viec cua phuong 321 trong tuan, nguoi dan den dung gio", index
    ).match
    assert other.source.slug == "ban-tin-321"


def test_an_index_grown_by_publications_is_the_one_built_at_once():
    def made(n: int, number: int = 1) -> forwards.VersionText:
        text = f"Bản tin {n}: người dân phường {n} đến trạm y tế số {n * 3} để tiêm vắc xin."
        if number == 2:
            text += " Lịch đã đổi sang chiều thứ bảy."
        return _version(text, bulletin=n, number=number, slug=f"ban-tin-{n}")

    first = [made(n) for n in range(1, 31)]
    later = [made(5), made(5, 2), *(made(n) for n in range(31, 41))]
    grown = forwards.ForwardIndex(first).with_bulletins(later)
    whole = forwards.ForwardIndex(
        [*first[:4], made(5), made(5, 2), *first[5:], *(made(n) for n in range(31, 41))]
    )
    assert grown.postings == whole.postings and grown.bulletins == whole.bulletins
    assert [v.number for v in grown.versions[5]] == [1, 2]
    match = forwards.analyse("Lich da doi sang chieu thu bay. Ban tin 5: nguoi dan phuong 5", grown)
    assert (match.match.source.slug, match.match.source.number) == ("ban-tin-5", 2)
    assert len(forwards.ForwardIndex(first).postings) < len(grown.postings)  # not changed


# --- the page -------------------------------------------------------------------------------
@pytest.fixture
def bulletin(default_registry):
    return publish()


def _post(client, text: str):
    return client.post("/ban-tin/kiem-tra/", {"text": text})


def _rows() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


@pytest.mark.django_db
def test_the_page_names_the_bulletin_and_what_was_changed(client, bulletin):
    forward = (
        "🔥 Khong bam vao duong link la, khong cung cap ma OTP cho bat ky ai. "
        "Thong tin chinh thuc chi co tai https://quangninh-gov.vn/thong-bao"
    )
    before = _rows()
    response = _post(client, forward)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nội dung này lấy từ một bản tin chính thức nhưng đã bị thay đổi" in page
    assert f'<a href="/ban-tin/{bulletin.slug}/">Cảnh báo lừa đảo qua Zalo</a>' in page
    assert "phiên bản 1" in page
    assert (
        "Bị sửa:</strong> <del>https://quangninh.gov.vn/thong-bao.</del> → <ins>https://quangninh-gov.vn/thong-bao</ins>"
        in page
    )
    assert "Bỏ phần đầu:" in page and "Bỏ phần cuối:" in page
    assert "từ bị gõ không dấu" in page
    assert "🔥" in page
    # The swapped link went through the verifier: a look-alike of the province's portal.
    assert "Các đường link không có trong bản tin" in page
    assert (
        'class="verdict-impersonation"><strong>Giả mạo</strong> <code>https://quangninh-gov.vn/thong-bao</code>'
        in page
    )
    # Nothing of it was stored, and it is in no address.
    assert _rows() == before
    assert "quangninh-gov" not in response.wsgi_request.get_full_path()


@pytest.mark.django_db
def test_a_forward_of_a_corrected_version_says_so(client, bulletin):
    original = diffs.plain_text(bulletin.latest_version.body_html)
    correct(
        bulletin,
        body_markdown=bulletin.latest_version.body_markdown.replace("113", "0203.3835.444"),
    )
    page = _post(client, original).content.decode()
    assert "Đây là nội dung của một bản tin chính thức" in page
    assert "phiên bản 1" in page and "Phiên bản này đã được đính chính" in page


@pytest.mark.django_db
def test_a_text_from_no_bulletin_is_said_plainly(client, bulletin):
    page = _post(
        client,
        "Chúc mừng bạn trúng thưởng iPhone 16, nhận quà tại https://quangninh-gov.vn/qua-tang ngay",
    ).content.decode()
    assert "Nội dung này không khớp với bản tin nào đã đăng" in page
    assert 'href="/ban-tin/"' in page and 'href="/kiem-tra/"' in page
    assert "Các đường link trong nội dung" in page and "Giả mạo" in page


@pytest.mark.django_db
def test_the_form_refuses_empty_and_overlong_texts(client, db):
    empty = _post(client, "   ")
    assert empty.status_code == 400 and "Hãy dán nội dung bạn nhận được." in empty.content.decode()
    long = _post(client, "chữ " * (forwards.MAX_FORWARD_CHARS // 4 + 10))
    assert long.status_code == 400
    assert "20000" in long.content.decode().replace(".", "").replace(",", "")
    assert client.get("/ban-tin/kiem-tra/").status_code == 200


@pytest.mark.django_db
def test_the_form_needs_its_csrf_token(db):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/ban-tin/kiem-tra/", {"text": TEXT}).status_code == 403
    page = strict.get("/ban-tin/kiem-tra/")
    token = page.cookies["csrftoken"].value
    answered = strict.post("/ban-tin/kiem-tra/", {"text": TEXT, "csrfmiddlewaretoken": token})
    assert answered.status_code == 200
