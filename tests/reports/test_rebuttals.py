"""The public rebuttal of a decided case ("Thông tin đã xác minh"): publishing and withdrawing
it, its page with a ClaimReview that parses, the list and its search, script shown inert, and
nothing about reporters on any of its pages."""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from chinhthong.config.refusals import Refused
from chinhthong.portal import services as portal
from chinhthong.reports import custody, rebuttals
from chinhthong.reports.models import Case, CustodyEntry, ReportLink, State, Verdict
from tests.bulletins import public_bulletins

from .helpers import report

pytestmark = pytest.mark.django_db

CLAIM = "Tỉnh sắp phong tỏa toàn bộ thành phố Hạ Long từ ngày mai"
REBUTTAL = (
    "UBND tỉnh khẳng định **không có** kế hoạch phong tỏa thành phố Hạ Long.\n\n"
    "Người dân theo dõi thông tin chính thức tại cổng thông tin của tỉnh."
)
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(autouse=True)
def _fresh_rebuttal_index():
    rebuttals.reset_index()
    yield
    rebuttals.reset_index()


FINDING = "Sở Y tế và UBND tỉnh xác nhận không có quyết định phong tỏa nào."


def decided(case: Case, verdict=Verdict.FABRICATED, state=State.DECIDED, finding=FINDING):
    case.state, case.verdict, case.finding = state, verdict, finding
    case.decided_at = timezone.now()
    case.save()
    return case


@pytest.fixture
def reported(default_registry):
    first = report(
        claim=CLAIM,
        contact_name="Nguyễn Thị Người Báo",
        contact_email="nguoibao@example.vn",
        contact_phone="0912345678",
        consent=True,
        seen_at=timezone.now() - dt.timedelta(hours=2),
    )
    report(
        claim="Cùng bài đăng ấy, tôi cũng thấy",
        links=["https://m.facebook.com/groups/123/posts/456/?mibextid=x"],
        contact_name="Trần Văn Thứ Hai",
        contact_email="thuhai@example.vn",
        consent=True,
    )
    return decided(first.case)


def publish(case, editor=None, **fields):
    values = {"title": "Không có chuyện phong tỏa thành phố Hạ Long", "text": REBUTTAL}
    values.update(fields)
    return rebuttals.publish_rebuttal(case, actor=editor, **values)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list]]:
    """The elements a browser's parser would make of the page: (tag, attributes)."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def claim_review(response) -> dict:
    (block,) = JSON_LD.findall(response.content.decode())
    return json.loads(block)


def test_a_published_rebuttal_has_its_page_with_a_claim_review(reported, editor, client):
    portal.update_identity(name="Sở Khoa học và Công nghệ tỉnh Quảng Ninh")
    case = publish(reported, editor)
    assert case.rebuttal_slug == "khong-co-chuyen-phong-toa-thanh-pho-ha-long"
    assert case.published_at is not None
    response = client.get(f"/thong-tin-da-xac-minh/{case.rebuttal_slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    label = str(Verdict.FABRICATED.label)
    assert f'<blockquote class="claim"><p>{CLAIM}</p></blockquote>' in html
    assert label in html and "<strong>không có</strong>" in html
    assert "Sở Y tế và UBND tỉnh xác nhận" in html
    assert "share_external" in html and "facebook.com/sharer" in html
    review = claim_review(response)
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == CLAIM
    assert review["reviewRating"]["alternateName"] == label
    assert review["reviewRating"]["ratingValue"] == 1
    assert (review["reviewRating"]["bestRating"], review["reviewRating"]["worstRating"]) == (5, 1)
    assert review["datePublished"].startswith(timezone.localdate(case.published_at).isoformat())
    assert review["url"].endswith(f"/thong-tin-da-xac-minh/{case.rebuttal_slug}/")
    assert review["author"]["name"] == "Sở Khoa học và Công nghệ tỉnh Quảng Ninh"
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    # Both reports point at one post: it appeared once, at its canonical address.
    (canonical,) = set(
        ReportLink.objects.filter(report__case=case).values_list("canonical_url", flat=True)
    )
    assert item["appearance"] == [{"@type": "CreativeWork", "url": canonical}]
    assert "firstAppearance" not in item  # it would rest on what reporters say they saw when
    last = CustodyEntry.objects.filter(case=case).order_by("-seq").first()
    assert last.action == "rebuttal_published" and last.detail["slug"] == case.rebuttal_slug
    assert custody.verify(case) == []


def test_each_verdict_has_its_rating(default_registry):
    for verdict, value in [
        (Verdict.FABRICATED, 1),
        (Verdict.FALSE, 2),
        (Verdict.UNVERIFIABLE, 3),
        (Verdict.TRUE, 5),
    ]:
        case = decided(report(claim=f"Tin đồn số {value}", links=()).case, verdict)
        case = publish(case, title=f"Kết luận {value}")
        review = rebuttals.claim_review(case, portal.identity())
        assert review["reviewRating"]["ratingValue"] == value
        assert review["reviewRating"]["alternateName"] == str(verdict.label)
        assert "appearance" not in review["itemReviewed"]


def test_the_list_finds_it_with_and_without_diacritics(reported, client):
    publish(reported)
    other = decided(
        report(claim="Ngân hàng phát tiền hỗ trợ qua Zalo", links=()).case,
        finding="Ngân hàng Nhà nước xác nhận không có chương trình nào như vậy.",
    )
    publish(other, title="Không có chương trình phát tiền qua Zalo", text="Đây là lừa đảo.")
    unpublished = decided(report(claim="Tin đồn chưa công bố về phong tỏa", links=()).case)
    page = client.get("/thong-tin-da-xac-minh/")
    html = page.content.decode()
    assert page.status_code == 200
    # Newest first.
    assert html.index("phát tiền qua Zalo") < html.index("phong tỏa thành phố Hạ Long")
    assert "Tin đồn chưa công bố" not in html
    for query in ("phong tỏa Hạ Long", "phong toa ha long", "PHONG TOA", "khẳng định", "khang"):
        found = client.get("/thong-tin-da-xac-minh/", {"q": query}).content.decode()
        assert "/thong-tin-da-xac-minh/khong-co-chuyen-phong-toa-thanh-pho-ha-long/" in found
        assert "phat-tien" not in found, query
    nothing = client.get("/thong-tin-da-xac-minh/", {"q": "động đất"}).content.decode()
    assert "/thong-tin-da-xac-minh/khong-" not in nothing
    assert rebuttals.listing("zalo").count == 1
    assert rebuttals.listing("").count == 2
    assert unpublished.rebuttal_slug is None


def test_the_list_is_paged(default_registry):
    for n in range(rebuttals.PAGE_SIZE + 3):
        case = decided(report(claim=f"Tin đồn thứ {n} về mất điện", links=()).case)
        publish(case, title=f"Không mất điện lần {n}")
    first = rebuttals.listing("mat dien", 1)
    second = rebuttals.listing("mat dien", 2)
    assert first.count == rebuttals.PAGE_SIZE + 3
    assert len(first.page.object_list) == rebuttals.PAGE_SIZE
    assert len(second.page.object_list) == 3
    assert len(rebuttals.listing("", 2).page.object_list) == 3


def test_script_in_the_claim_and_the_rebuttal_is_inert(default_registry, client):
    claim = 'Tin đồn </script><script>alert("claim")</script> <img src=x onerror=alert(1)>'
    case = decided(report(claim=claim, links=()).case)
    case = publish(
        case,
        title="Cảnh báo <script>alert('title')</script>",
        text=(
            "Đoạn một <script>alert('text')</script>\n\n"
            "<img src=x onerror=alert(2)> [x](javascript:alert(3))"
        ),
    )
    response = client.get(f"/thong-tin-da-xac-minh/{case.rebuttal_slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    tags = elements(html)
    assert "img" not in {name for name, _attrs in tags}
    assert not [a for _name, attrs in tags for a, _v in attrs if a.startswith("on")]
    assert not [v for _name, attrs in tags for a, v in attrs if "javascript:" in (v or "")]
    assert "&lt;script&gt;alert(&quot;claim&quot;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert('text')&lt;/script&gt;" in html
    # The claim's "</script>" does not end the JSON-LD block: it parses, and holds the claim.
    assert claim_review(response)["claimReviewed"] == case.title
    assert "</script>" in case.title
    # The only script elements are the site's own file and the data block.
    scripts = [dict(attrs) for name, attrs in tags if name == "script"]
    assert [s for s in scripts if "src" not in s] == [{"type": "application/ld+json"}]
    assert all(s["src"].startswith("/static/") for s in scripts if "src" in s), scripts
    listed = client.get("/thong-tin-da-xac-minh/", {"q": "canh bao"}).content.decode()
    assert "<script>alert" not in listed and "&lt;script&gt;" in listed


def test_a_withdrawn_rebuttal_answers_404_and_comes_back_at_its_address(reported, editor, client):
    case = publish(reported, editor)
    slug = case.rebuttal_slug
    case = rebuttals.withdraw_rebuttal(case, actor=editor)
    assert case.published_at is None
    assert client.get(f"/thong-tin-da-xac-minh/{slug}/").status_code == 404
    assert slug not in client.get("/thong-tin-da-xac-minh/").content.decode()
    assert rebuttals.listing("phong toa").count == 0
    assert CustodyEntry.objects.filter(case=case).order_by("-seq")[0].action == (
        "rebuttal_withdrawn"
    )
    with pytest.raises(Refused) as refused:
        rebuttals.withdraw_rebuttal(case, actor=editor)
    assert refused.value.code == "not_published"
    again = publish(case, editor, title="Một tiêu đề khác")
    assert again.rebuttal_slug == slug
    assert client.get(f"/thong-tin-da-xac-minh/{slug}/").status_code == 200
    assert custody.verify(case) == []


def test_missing_and_unpublished_addresses_answer_404(reported, client):
    assert client.get("/thong-tin-da-xac-minh/khong-co/").status_code == 404
    case = publish(reported)
    # A case reopened after publication is no longer shown.
    Case.objects.filter(pk=case.pk).update(state=State.INVESTIGATING)
    assert client.get(f"/thong-tin-da-xac-minh/{case.rebuttal_slug}/").status_code == 404


@pytest.mark.parametrize(
    ("state", "verdict"),
    [
        (State.NEW, ""),
        (State.TRIAGE, Verdict.FALSE),
        (State.INVESTIGATING, Verdict.FALSE),
        (State.DECIDED, ""),
        (State.REJECTED, ""),
    ],
)
def test_an_undecided_case_is_refused(default_registry, state, verdict):
    case = report(links=()).case
    Case.objects.filter(pk=case.pk).update(state=state, verdict=verdict)
    with pytest.raises(Refused) as refused:
        publish(case)
    assert refused.value.code == "not_decided"
    case.refresh_from_db()
    assert case.rebuttal_slug is None and case.published_at is None
    assert not CustodyEntry.objects.filter(case=case, action="rebuttal_published").exists()


@pytest.mark.parametrize("state", [State.REFERRED, State.CLOSED])
def test_a_referred_or_closed_case_may_be_published(default_registry, state):
    case = decided(report(links=()).case, Verdict.FALSE, state)
    assert publish(case).published_at is not None


def test_bad_titles_and_texts_are_refused(reported):
    for fields, code in [
        ({"title": "  "}, "rebuttal_title"),
        ({"title": "x" * 301}, "rebuttal_title"),
        ({"text": ""}, "rebuttal_text"),
        ({"text": "x" * 20_001}, "rebuttal_text"),
        ({"text": "ẩn\u202egiấu"}, "rebuttal_text"),
        ({"claim": ""}, "claim"),
    ]:
        with pytest.raises(Refused) as refused:
            publish(reported, **fields)
        assert refused.value.code == code, fields
    assert Case.objects.get(pk=reported.pk).published_at is None


def test_slugs_are_ascii_and_unique(default_registry):
    first = publish(decided(report(claim="Tin đồn thứ nhất", links=()).case), title="Đường bị cấm")
    second = publish(decided(report(claim="Tin đồn thứ hai", links=()).case), title="Đường bị cấm")
    assert first.rebuttal_slug == "duong-bi-cam"
    assert second.rebuttal_slug == "duong-bi-cam-2"


def test_the_claim_may_be_reworded_for_the_page(reported):
    case = publish(reported, claim="Thành phố Hạ Long bị phong tỏa")
    assert case.title == "Thành phố Hạ Long bị phong tỏa"
    entry = CustodyEntry.objects.get(case=case, action="rebuttal_published")
    assert entry.detail["claim"] == {"from": CLAIM, "to": "Thành phố Hạ Long bị phong tỏa"}


def test_answering_bulletins_are_linked_both_ways(reported, client):
    bulletin = public_bulletins.publish(title="UBND tỉnh bác tin phong tỏa Hạ Long")
    draft = public_bulletins.services.create_draft(
        public_bulletins.draft(title="Bản nháp chưa công bố"), actor=None
    )
    with pytest.raises(Refused) as refused:
        publish(reported, bulletins=[draft])
    assert refused.value.code == "bulletin_not_published"
    case = publish(reported, bulletins=[bulletin])
    html = client.get(f"/thong-tin-da-xac-minh/{case.rebuttal_slug}/").content.decode()
    assert f'href="/ban-tin/{bulletin.slug}/"' in html
    assert "UBND tỉnh bác tin phong tỏa Hạ Long" in html
    assert rebuttals.rebuttals_for_bulletin(bulletin) == [case]
    assert CustodyEntry.objects.get(case=case, action="rebuttal_published").detail["bulletins"] == [
        bulletin.slug
    ]
    # Updating the published rebuttal keeps its date and address, and records the change.
    published_at = case.published_at
    updated = publish(case, title="Tiêu đề mới", bulletins=[])
    assert updated.published_at == published_at
    assert updated.rebuttal_slug == case.rebuttal_slug
    assert rebuttals.rebuttals_for_bulletin(bulletin) == []
    assert CustodyEntry.objects.filter(case=case, action="rebuttal_updated").count() == 1


def test_nothing_about_reporters_is_on_the_public_pages(reported, client):
    case = publish(reported)
    pages = [
        client.get(f"/thong-tin-da-xac-minh/{case.rebuttal_slug}/"),
        client.get("/thong-tin-da-xac-minh/"),
        client.get("/thong-tin-da-xac-minh/", {"q": "phong toa"}),
    ]
    codes = list(case.reports.values_list("tracking_code", flat=True))
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        for secret in [
            "nguoibao@example.vn",
            "Nguyễn Thị Người Báo",
            "0912345678",
            "thuhai@example.vn",
            "Trần Văn Thứ Hai",
            "Cùng bài đăng ấy",  # the second reporter's own words
            *codes,
        ]:
            assert secret not in html
