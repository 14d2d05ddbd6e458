"""What a bulletin may say: topics, sources, audience, pictures in its body — checked by the
services every edge calls, refused with a message naming what is wrong."""

import pytest

from chinhthong.bulletins import attachments, services
from chinhthong.bulletins.models import Status
from chinhthong.config.refusals import Refused
from chinhthong.reach import organisation
from tests.bulletins.authoring_files import png

pytestmark = pytest.mark.django_db


def _draft(**fields):
    values = {"title": "Mưa lớn tại Cẩm Phả", "body_markdown": "Hạn chế ra đường."}
    values.update(fields)
    return services.Draft(**values)


def test_topics_are_normalised_and_each_kept_once(editor):
    tags = ["  Thiên tai ", "#thiên  tai", "Mưa lớn", "", "mưa lớn", "Thie\u0302n tai"]
    bulletin = services.create_draft(_draft(tags=tags), actor=editor)
    assert bulletin.tags == ["thiên tai", "mưa lớn"]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (["x" * 51], "dài quá 50 ký tự"),
        ([f"chủ đề {n}" for n in range(21)], "tối đa 20 chủ đề"),
        (["lừa\u202eđảo"], "U+202E"),
    ],
)
def test_bad_topics_are_refused(editor, tags, message):
    with pytest.raises(Refused) as refused:
        services.create_draft(_draft(tags=tags), actor=editor)
    assert refused.value.code == "tags" and message in refused.value.message


def test_sources_are_a_title_and_a_web_address_each(editor):
    sources = [
        {"title": " Công an tỉnh  Quảng Ninh ", "url": "HTTPS://CongAn.QuangNinh.gov.vn/tin/1"},
        {"title": "Bộ Y tế", "url": "https://moh.gov.vn/"},
    ]
    bulletin = services.create_draft(_draft(sources=sources), actor=editor)
    assert bulletin.latest_version.sources == [
        {"title": "Công an tỉnh Quảng Ninh", "url": "https://congan.quangninh.gov.vn/tin/1"},
        {"title": "Bộ Y tế", "url": "https://moh.gov.vn/"},
    ]


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([{"title": "Trang lạ", "url": "javascript:alert(1)"}], "Nguồn 1:"),
        ([{"title": "", "url": "https://moh.gov.vn/"}], "Nguồn 1 không có tiêu đề"),
        ([{"title": "A", "url": "https://moh.gov.vn/"}, {"title": "B", "url": "ftp://x.vn/"}],
         "Nguồn 2:"),
        ([{"title": "A", "url": "https://moh.gov.vn/"}, {"title": "B", "url": "https://moh.gov.vn/"}],
         "Nguồn 2 lặp lại địa chỉ"),
        ([{"title": "A", "url": "https://user:pass@moh.gov.vn/"}], "Nguồn 1:"),
        (["https://moh.gov.vn/"], "Nguồn 1: cần"),
    ],
)  # fmt: skip
def test_bad_sources_are_refused_naming_the_source(editor, sources, message):
    with pytest.raises(Refused) as refused:
        services.create_draft(_draft(sources=sources), actor=editor)
    assert refused.value.code == "sources"
    assert message in refused.value.message


def test_an_audience_of_units_keeps_each_subtree_once(editor):
    province = organisation.create_unit(code="QN", name="Tỉnh Quảng Ninh")
    city = organisation.create_unit(code="CP", name="Cẩm Phả", parent=province)
    ward = organisation.create_unit(code="CP-CT", name="Cẩm Tây", parent=city)
    other = organisation.create_unit(code="HL", name="Hạ Long", parent=province)
    bulletin = services.create_draft(
        _draft(whole_province=False, units=[ward, city, other, city]), actor=editor
    )
    assert set(bulletin.audience.all()) == {city, other}  # Cẩm Tây is in Cẩm Phả's subtree
    whole = services.create_draft(_draft(whole_province=True, units=[city]), actor=editor)
    assert whole.whole_province and not whole.audience.exists()


def test_an_unknown_urgency_is_refused(editor):
    with pytest.raises(Refused) as refused:
        services.create_draft(_draft(urgency="very"), actor=editor)
    assert refused.value.code == "urgency"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Tin " * 100, "Tiêu đề dài quá 300 ký tự."),
        ("  ", "Bản tin chưa có tiêu đề."),
        ("Tin\u200bgiả", "Tiêu đề: "),
    ],
)
def test_a_bad_title_is_refused(editor, title, message):
    with pytest.raises(Refused) as refused:
        services.create_draft(_draft(title=title), actor=editor)
    assert refused.value.code == "title" and message in refused.value.message


# --- pictures in the body: the bulletin's own files only -------------------------------------
def test_a_picture_from_another_site_is_refused(editor):
    with pytest.raises(Refused) as refused:
        services.create_draft(
            _draft(body_markdown="Xem ![ảnh](https://theo-doi.example/pixel.gif)"), actor=editor
        )
    assert refused.value.code == "body_files"
    assert "https://theo-doi.example/pixel.gif" in refused.value.message


def test_a_picture_named_in_the_body_is_the_attached_file(editor):
    bulletin = services.create_draft(
        _draft(body_markdown="Bản đồ vùng ngập:\n\n![Bản đồ](ban-do.png)"), actor=editor
    )
    # Named before it is attached: the draft may wait, publishing may not.
    with pytest.raises(Refused) as refused:
        services.publish(bulletin, actor=editor)
    assert refused.value.code == "body_files" and "ban-do.png" in refused.value.message

    file = attachments.add_attachment(bulletin, name="Bản đồ.png", data=png(), actor=editor)
    assert file.name == "ban-do.png"
    html = bulletin.latest_version.body_html
    assert f'<img src="/ban-tin/tep/{file.pk}/ban-do.png" alt="Bản đồ">' in html
    services.publish(bulletin, actor=editor)
    bulletin.refresh_from_db()
    assert bulletin.status == Status.PUBLISHED


def test_a_link_to_an_attached_pdf_and_to_the_web(editor):
    from tests.bulletins.authoring_files import pdf

    bulletin = services.create_draft(
        _draft(body_markdown="[Hướng dẫn](huong-dan.pdf) và [Bộ Y tế](https://moh.gov.vn/)"),
        actor=editor,
    )
    file = attachments.add_attachment(bulletin, name="huong-dan.pdf", data=pdf(), actor=editor)
    rendered = services.render_body(bulletin, bulletin.latest_version.body_markdown)
    assert rendered.problems == []
    assert f'href="/ban-tin/tep/{file.pk}/huong-dan.pdf"' in rendered.html
    assert 'href="https://moh.gov.vn/"' in rendered.html
