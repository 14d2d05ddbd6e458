"""Grouping by text: the same claim however typed joins one case, a short one is only
suggested, another claim opens its own case; related cases and bulletins; an embedding model
plugged in by settings; handlers merge and split with every custody chain intact."""

import pytest

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.config.refusals import Refused
from chinhthong.reports import custody, grouping, intake, matching, textindex, textmatch, textnorm
from chinhthong.reports.models import Case, Comment, Evidence, State
from tests.bulletins.public_bulletins import publish
from tests.conftest import PASSWORD

from .helpers import png, report


def other_png() -> bytes:
    """A picture unlike helpers.png (whose perceptual hash does not depend on its colour)."""
    import io

    from PIL import Image

    image = Image.new("RGB", (320, 200), (255, 255, 255))
    for x in range(320):
        for y in range(200):
            if (x // 40 + y // 40) % 2:
                image.putpixel((x, y), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


pytestmark = pytest.mark.django_db

CLAIM = "Tin đồn: tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long từ ngày mai, cấm người dân ra đường"
PLAIN = "tin don: tinh sap phong toa toan bo thanh pho ha long tu ngay mai, cam nguoi dan ra duong"
TEEN = (
    "Tin đồn!!! tỉnh sắp phong tỏa toàn bộ tp Hạ Long từ ngày mai, cấm ng dân ra đường 😱😱 "
    "https://www.facebook.com/share/p/abc"
)
OTHER = "Nước máy ở phường Bãi Cháy bị nhiễm độc, uống vào sẽ bị ngộ độc ngay trong ngày"


@pytest.fixture
def handler(db):
    return accounts.create_user("xuly", PASSWORD, role=roles.REPORT_HANDLER)


def said(claim, **fields):
    return report(claim=claim, links=(), **fields)


def joined_by(case, code):
    entry = case.custody.filter(action="report_joined", detail__report=code).get()
    return entry.detail["joined_by"]


# --- normalisation ---------------------------------------------------------------------------
def test_normalisation_sees_through_diacritics_teencode_and_emphasis():
    assert textnorm.words_of("Ko dc đi vs ng lạ, bít j chưa, bây h quáaaa nguy hiểm!!! 🔥") == [
        *"không được đi với người lạ biết gì chưa bây giờ quá nguy hiểm".split()
    ]
    assert textnorm.words_of("hông bít, khônggg điii, 10h sáng") == [
        *"không biết không đi 10 giờ sáng".split()
    ]
    # Doubled letters of real words stay; a vowel with its own mark is not a repeat.
    assert textnorm.words_of("xoong nồi, hươu cứu") == ["xoong", "nồi", "hươu", "cứu"]
    # Links and emoji are not words of the claim.
    linked = "Xem ngay https://bit.ly/x1 và fb.com/abc/123 👉👉"
    assert textnorm.words_of(linked) == ["xem", "ngay", "và"]
    # The tone counts wherever it was written.
    assert textnorm.normalise("hoà bình").words == textnorm.normalise("hòa bình").words
    plain, marked = textnorm.normalise(PLAIN), textnorm.normalise(CLAIM)
    assert plain.folded == marked.folded
    assert marked.accented and not plain.accented
    assert "phong_toa" in marked.compounds  # segmented by underthesea


def test_scores_mean_something():
    marked = textnorm.normalise(CLAIM)
    assert textnorm.similarity(marked, textnorm.normalise(CLAIM)) == 1.0
    assert textnorm.similarity(marked, textnorm.normalise(PLAIN)) == 1.0
    assert textnorm.similarity(marked, textnorm.normalise(TEEN)) == 1.0
    longer = textnorm.normalise(CLAIM + ". Ai có người thân ở đó thì báo ngay cho họ biết")
    assert 0.5 <= textnorm.similarity(marked, longer) < 0.85
    assert textnorm.similarity(marked, textnorm.normalise(OTHER)) < 0.3


def test_an_index_ranks_the_same_text_first_among_many():
    texts = [CLAIM, OTHER] + [
        f"Thông báo lịch cắt điện số {n} tại phường {n} ngày mai" for n in range(50)
    ]
    index = textindex.TextIndex.of("case", enumerate(map(textnorm.normalise, texts)))
    hits = index.search(textnorm.normalise(PLAIN), limit=3)
    assert hits[0].id == 0 and hits[0].score == 1.0
    assert all(h.score < 0.5 for h in hits[1:])
    index.add([(99, textnorm.normalise(TEEN))])  # scanned until the BM25 part is rebuilt
    assert {h.id for h in index.search(textnorm.normalise(CLAIM), limit=2)} == {0, 99}


# --- joining, suggesting, a new case ---------------------------------------------------------
def test_the_claim_without_diacritics_and_in_teencode_joins_the_same_case(default_registry):
    first = said(CLAIM)
    plain = said(PLAIN)
    teen = said(TEEN)
    assert plain.case_id == first.case_id == teen.case_id
    case = first.case
    assert joined_by(case, plain.tracking_code) == "text"
    assert joined_by(case, teen.tracking_code) == "text"
    assert custody.verify(case) == []


def test_a_short_claim_is_only_suggested(default_registry):
    first = said("Hạ Long phong tỏa từ mai")
    again = said("ha long phong toa tu mai!!")
    assert again.case_id != first.case_id
    assert again.suggested_case_id == first.case_id
    assert again.suggested_score == pytest.approx(1.0)


def test_a_close_claim_is_suggested_and_another_opens_its_own_case(default_registry):
    first = said(CLAIM)
    close = said(CLAIM + ". Ai có người thân ở đó thì báo ngay cho họ biết")
    assert close.case_id != first.case_id
    assert close.suggested_case_id == first.case_id
    assert 0.5 <= close.suggested_score < 0.85
    other = said(OTHER)
    assert other.case_id not in (first.case_id, close.case_id)
    assert other.suggested_case_id is None


def test_a_closed_case_is_not_joined_but_suggested(default_registry):
    first = said(CLAIM)
    Case.objects.filter(pk=first.case_id).update(state=State.CLOSED)
    again = said(PLAIN)
    assert again.case_id != first.case_id
    assert again.suggested_case_id == first.case_id


def test_related_lists_earlier_cases_and_the_bulletin_that_answers_the_claim(default_registry):
    bulletin = publish(
        title="Bác bỏ tin đồn phong tỏa thành phố Hạ Long",
        summary="Không có chuyện phong tỏa.",
        body_markdown=(
            "Trên mạng xã hội lan truyền thông tin tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long "
            "từ ngày mai, cấm người dân ra đường. Đây là thông tin sai sự thật.\n\n"
            "Ủy ban nhân dân tỉnh đề nghị người dân không chia sẻ."
        ),
    )
    publish(title="Lịch cắt điện tuần này", summary="Cắt điện để sửa chữa lưới điện.")
    earlier = said(
        "Tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long từ ngày mai, cấm ra đường nha mọi người"
    )
    Case.objects.filter(pk=earlier.case_id).update(state=State.CLOSED)
    now = said(CLAIM)
    found = matching.related(now.case)
    kinds = [(r.kind, r.item.pk) for r in found]
    assert ("bulletin", bulletin.pk) in kinds
    assert ("case", earlier.case_id) in kinds
    assert ("case", now.case_id) not in kinds
    assert all(0.5 <= r.score <= 1 for r in found)
    assert len(kinds) == 2
    assert matching.related(said(OTHER).case) == []


# --- an embedding model plugged in -----------------------------------------------------------
SYNONYMS = {"phong": 0, "toa": 0, "cach": 0, "ly": 0, "ha": 1, "long": 1, "cam": 2, "chan": 2}


def tiny_embedder(text: str) -> list[float]:
    """Deterministic: counts of three concepts (closing off, Hạ Long, forbidding) and of the
    other words, so that two wordings of one claim come out alike."""
    vector = [0.0, 0.0, 0.0, 0.0]
    for word in textnorm.normalise(text).folded:
        vector[SYNONYMS.get(word, 3)] += 1.0 if word in SYNONYMS else 0.1
    return vector


def test_an_embedder_set_in_settings_reranks(default_registry, settings):
    first = said("Hạ Long bị phong tỏa, cấm ra khỏi nhà từ mai theo lệnh trên")
    paraphrase = "Hạ Long bị cách ly, chặn ra khỏi nhà từ mai theo lệnh trên"
    lexical = textmatch.search(paraphrase, kinds=("case",))
    assert lexical[0].id == first.case_id and lexical[0].score < 0.85
    settings.REPORT_EMBEDDER = "tests.reports.test_matching.tiny_embedder"
    reranked = textmatch.search(paraphrase, kinds=("case",))
    assert reranked[0].id == first.case_id and reranked[0].score > lexical[0].score
    settings.REPORT_EMBEDDER = ""
    assert textmatch.search(paraphrase, kinds=("case",))[0].score == lexical[0].score


# --- merge and split -------------------------------------------------------------------------
def test_merge_moves_reports_and_evidence_and_closes_the_source(default_registry, handler):
    into = said(CLAIM, files=[intake.Upload("a.png", png())]).case
    source_report = said(OTHER, files=[intake.Upload("b.png", other_png())])
    source = source_report.case
    moved = set(Evidence.objects.filter(case=source).values_list("sha256", flat=True))
    assert moved

    grouping.merge_cases(source, into, actor=handler)

    source.refresh_from_db()
    into.refresh_from_db()
    assert source.state == State.CLOSED and source.closed_at is not None
    assert not source.reports.exists() and not source.evidence.exists()
    assert into.reports.count() == 2
    assert moved <= set(into.evidence.values_list("sha256", flat=True))
    assert Comment.objects.filter(case=source, text__contains=into.number).exists()
    merged_in = into.custody.get(action="case_merged_in").detail
    assert merged_in["reports"] == [source_report.tracking_code]
    assert {e["sha256"] for e in merged_in["evidence"]} == moved
    assert source.custody.get(action="case_merged_into").detail["into"] == into.number
    assert custody.verify(source) == [] and custody.verify(into) == []
    # A report of the merged claim now joins the case it went to.
    assert said(OTHER).case_id == into.pk

    with pytest.raises(Refused):
        grouping.merge_cases(source, into, actor=handler)  # closed already
    with pytest.raises(Refused):
        grouping.merge_cases(into, into, actor=handler)


def test_split_moves_a_report_and_its_evidence_to_a_new_case(default_registry, handler):
    first = report(claim=CLAIM, files=[intake.Upload("a.png", png())])
    wrong = report(
        claim="Bài này thực ra nói về chuyện khác: lừa đảo trúng thưởng qua tin nhắn",
        files=[intake.Upload("b.png", other_png())],
    )  # the same link: joined by it
    old = first.case
    assert wrong.case_id == old.pk
    theirs = set(Evidence.objects.filter(report=wrong).values_list("sha256", flat=True))

    new = grouping.split_report(wrong, actor=handler)

    wrong.refresh_from_db()
    assert wrong.case_id == new.pk != old.pk
    assert set(new.evidence.values_list("sha256", flat=True)) == theirs
    assert not old.evidence.filter(report=wrong).exists()
    assert old.reports.get() == first
    assert old.custody.get(action="report_split").detail["to"] == new.number
    actions = list(new.custody.order_by("seq").values_list("action", flat=True))
    assert actions == ["case_opened", "report_split_from"]
    assert custody.verify(old) == [] and custody.verify(new) == []
    with pytest.raises(Refused):
        grouping.split_report(first, actor=handler)  # the only report of its case


def test_only_handlers_regroup(default_registry, editor):
    a, b = said(CLAIM).case, said(OTHER).case
    with pytest.raises(Refused) as refused:
        grouping.merge_cases(a, b, actor=editor)
    assert refused.value.status == 403
