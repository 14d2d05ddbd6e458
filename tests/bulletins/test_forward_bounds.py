""" "Có phải bản tin thật?" under attack: anyone may paste up to 20,000 characters, made to be as
costly as possible to compare with a long bulletin (a word repeated thousands of times, a
phrase of the bulletin repeated, one letter per word, no spaces, short lines, a word altered
every few). Each is answered — the source and its changes, or "no bulletin" — within the
bounds forwards.py sets, counted by the steps the check exposes (never by the clock); past
the exact comparison's budget the answer says it was shortened."""

import functools
import random

import pytest

from chinhthong.bulletins import alignment, diffs, forwards
from tests.bulletins.public_bulletins import publish

LIMIT = forwards.MAX_FORWARD_CHARS
SYLLABLES = (
    "người dân cần cảnh giác với các cuộc gọi tự xưng là công an tòa án viện kiểm sát yêu "
    "cầu chuyển tiền vào tài khoản để phục vụ điều tra không bấm đường link lạ cung cấp mã "
    "OTP thông tin cá nhân khi phát hiện dấu hiệu lừa đảo báo ngay cho cơ quan chức năng gần "
    "nhất ủy ban nhân dân tỉnh Quảng Ninh thông báo lịch tiêm chủng vắc xin phòng bệnh trẻ "
    "em dưới năm tuổi tại trạm y tế phường xã thị trấn trong tuần từ thứ hai đến sáu sở "
    "khuyến cáo đeo khẩu trang rửa tay thường xuyên bão số ba đang di chuyển theo hướng tây "
    "bắc ngư không ra khơi tàu thuyền nơi trú ẩn an toàn mưa lớn gây ngập úng sạt lở đất"
).split()


def long_text(seed: int, chars: int) -> str:
    """Vietnamese sentences in paragraphs, "và" one word in 33, as a long bulletin's."""
    rng = random.Random(seed)
    paragraphs, size = [], 0
    while size < chars:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            words = [
                "và" if rng.random() < 0.03 else rng.choice(SYLLABLES)
                for _ in range(rng.randint(6, 14))
            ]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def fill(head: str, unit: str, sep: str = " ") -> str:
    """``head`` then ``unit`` as many times as the form takes."""
    times = (LIMIT - len(head)) // (len(sep) + len(unit))
    return head + (sep + unit) * times


LONG = long_text(11, 80_000)
WORDS = LONG.split()
MIDDLE = len(WORDS) // 2
SIXTY = " ".join(WORDS[MIDDLE : MIDDLE + 60])  # 60 real consecutive words
EXCERPT = WORDS[MIDDLE : MIDDLE + 2600]


@functools.cache
def _index() -> forwards.ForwardIndex:
    others = [
        forwards.VersionText(n, f"ban-tin-{n}", 1, "Tin", long_text(n, 1500)) for n in range(2, 40)
    ]
    return forwards.ForwardIndex(
        [forwards.VersionText(1, "ban-tin-dai", 1, "Bản tin dài", LONG), *others]
    )


def whole_words(words: list[str], limit: int = LIMIT) -> str:
    """As many of ``words`` as the form takes, none cut."""
    taken, size = [], -1
    for word in words:
        size += len(word) + 1
        if size > limit:
            break
        taken.append(word)
    return " ".join(taken)


def _within_bounds(analysis: forwards.Analysis) -> None:
    """The steps of the check stay within what forwards.py allows, whatever was pasted."""
    work = analysis.work
    assert work.text <= forwards.SOURCE_CHARS + len(LONG)
    assert work.postings <= forwards.CANDIDATE_POSTINGS
    # The exact alignment stops at its budget (past it by one position's pairs at most).
    assert work.exact <= forwards.EXACT_STEPS + analysis.words + 1
    # The coarse one looks at each word of the two texts once a round.
    assert work.coarse <= alignment.COARSE_ROUNDS * work.words
    # Two stretches (the start and the end) a version are compared letter by letter, on at
    # most ALIKE_CHARS letters a side.
    assert work.letters <= 2 * forwards.ALIKE_CHARS**2 * work.versions
    # Reading is linear: the forward's words (tokens, shingles, then grams for each version)
    # and the versions' (a word and a space at least).
    forward_words = LIMIT // 2 + 1
    assert work.words <= (2 + work.versions) * forward_words + work.text + work.versions


ATTACKS = {
    # The report: 60 real consecutive words, then one word thousands of times.
    "a word repeated": fill(SIXTY, "người"),
    "the commonest word repeated": fill(SIXTY, "và"),
    "a phrase of the bulletin repeated": fill(SIXTY, " ".join(WORDS[MIDDLE + 100 : MIDDLE + 112])),
    "the 60 words repeated": fill(SIXTY, SIXTY),
    "many short lines": fill(SIXTY, "và người", "\n"),
    "no spaces": SIXTY + " " + "người" * ((LIMIT - len(SIXTY)) // 5 - 1),
    "one letter a word": fill(SIXTY, "a"),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_a_forward_made_to_be_costly_is_answered_within_the_bounds(name):
    forward = ATTACKS[name]
    assert len(forward) <= LIMIT
    analysis = forwards.analyse(forward, _index())
    _within_bounds(analysis)
    if analysis.match is None:
        # Mostly words of no bulletin: none is its source (the 60 words are not half of it).
        assert not analysis.too_short
    else:
        # One long "word" and the 60: the bulletin, with the rest an addition.
        assert analysis.match.source.slug == "ban-tin-dai"
        assert analysis.match.matched_words == 60
        assert "added" in [c.kind for c in analysis.match.changes]


def test_a_long_excerpt_with_the_repeated_word_after_it_is_traced_with_its_changes():
    forward = fill(" ".join([*EXCERPT[:300], "XYZ", *EXCERPT[301:]]), "người")
    analysis = forwards.analyse(forward, _index())
    _within_bounds(analysis)
    match = analysis.match
    assert match is not None and match.source.slug == "ban-tin-dai"
    kinds = [c.kind for c in match.changes]
    assert kinds[0] == "cut_start" and "cut_end" in kinds and "added" in kinds
    assert any(c.kind == "altered" and c.forward == "XYZ" for c in match.changes)
    added = next(c for c in match.changes if c.kind == "added")
    assert added.forward.startswith("người người")


def test_a_whole_excerpt_on_one_line_is_compared_exactly():
    words = WORDS[1000:5000]
    words[500] += "9"
    forward = whole_words(words)
    analysis = forwards.analyse(forward, _index())
    _within_bounds(analysis)
    match = analysis.match
    assert match is not None and match.source.slug == "ban-tin-dai"
    assert not match.shortened  # a genuine long forward is within the exact budget
    assert [c.kind for c in match.changes if c.kind != "diacritics"] == [
        "cut_start",
        "altered",
        "cut_end",
    ]


def test_a_word_altered_every_few_is_found_the_coarse_way_and_says_so():
    words = WORDS[MIDDLE : MIDDLE + 4000]
    rng = random.Random(5)
    altered = [rng.choice(SYLLABLES) if n % 4 == 3 else w for n, w in enumerate(words)]
    forward = whole_words(altered)
    analysis = forwards.analyse(forward, _index())
    _within_bounds(analysis)
    assert analysis.work.exact > forwards.EXACT_STEPS  # the exact way gave up...
    match = analysis.match
    assert match is not None and match.source.slug == "ban-tin-dai"  # ... the coarse one not
    assert match.shortened and analysis.shortened
    assert match.forward_share >= 70
    assert len(match.of_kind("altered")) > forwards.SHOWN_CHANGES
    assert len(match.shown_changes) == forwards.SHOWN_CHANGES
    assert match.more_changes == len(match.changes) - forwards.SHOWN_CHANGES


def test_a_text_shared_by_many_long_bulletins_reads_only_so_much_of_them():
    shared = long_text(3, 60_000)
    versions = [
        forwards.VersionText(n, f"ngay-{n}", 1, f"Ngày {n}", f"Ngày {n}.\n\n{shared}")
        for n in range(1, 9)
    ]
    # ... and one corrected twelve times.
    versions += [
        forwards.VersionText(20, "sua", n, "Sửa", f"{shared}\n\nLần sửa {n}.") for n in range(1, 13)
    ]
    forward = whole_words(shared.split()[2000:])
    analysis = forwards.analyse(forward, forwards.ForwardIndex(versions))
    assert analysis.work.text <= forwards.SOURCE_CHARS + len(versions[0].text)
    assert analysis.match is not None and analysis.match.unaltered
    assert analysis.shortened  # versions as likely as the one found were left out


def test_a_thousand_links_for_as_many_other_links_are_answered():
    head = "Thông báo của ủy ban nhân dân tỉnh Quảng Ninh về các trang chính thức:"
    source = head + " " + " ".join(f"s{n}.vn" for n in range(1500))
    forward = head + " " + " ".join(f"f{n}.vn" for n in range(1500))
    index = forwards.ForwardIndex([forwards.VersionText(1, "lien-ket", 1, "Liên kết", source)])
    analysis = forwards.analyse(forward, index)
    # Twelve words of a bulletin in a text of 1,500 links: not its source; every link is given.
    assert analysis.match is None and len(analysis.links) == 1500
    _within_bounds(analysis)


# --- the page -------------------------------------------------------------------------------
@pytest.fixture
def long_bulletin(default_registry):
    return publish(title="Bản tin dài về phòng chống lừa đảo", body_markdown=LONG)


def _post(client, text: str):
    return client.post("/ban-tin/kiem-tra/", {"text": text})


@pytest.mark.django_db
def test_the_reported_attack_gets_its_answer(client, long_bulletin):
    response = _post(client, ATTACKS["a word repeated"])
    assert response.status_code == 200
    assert "Nội dung này không khớp với bản tin nào đã đăng" in response.content.decode()


@pytest.mark.django_db
def test_a_long_altered_forward_names_the_bulletin_and_says_the_comparison_was_shortened(
    client, long_bulletin
):
    plain = diffs.plain_text(long_bulletin.latest_version.body_html).split()
    rng = random.Random(2)
    middle = len(plain) // 2
    words = plain[middle : middle + 4000]
    forward = whole_words([rng.choice(SYLLABLES) if n % 4 == 3 else w for n, w in enumerate(words)])
    response = _post(client, forward)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nội dung này lấy từ một bản tin chính thức nhưng đã bị thay đổi" in page
    assert (
        f'<a href="/ban-tin/{long_bulletin.slug}/">Bản tin dài về phòng chống lừa đảo</a>' in page
    )
    assert page.count('<li class="change-') == forwards.SHOWN_CHANGES
    assert "thay đổi khác không được liệt kê." in page
    assert "Nội dung này dài hoặc lặp lại nhiều nên đã được đối chiếu rút gọn" in page


@pytest.mark.django_db
def test_a_thousand_swapped_links_get_an_answer_not_an_error(client, default_registry):
    head = "Thông báo của ủy ban nhân dân tỉnh Quảng Ninh về các trang chính thức:"
    publish(
        title="Các trang chính thức",
        body_markdown=head + " " + " ".join(f"s{n}.vn" for n in range(1500)),
    )
    response = _post(client, head + " " + " ".join(f"f{n}.vn" for n in range(1500)))
    assert response.status_code == 200
    assert "Các đường link trong nội dung" in response.content.decode()
