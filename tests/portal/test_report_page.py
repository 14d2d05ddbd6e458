"""The report page tells a resident whom to contact today: a recipient whose agency has been
succeeded (Thanh tra Sở TTTT, whose department merged into Sở Khoa học và Công nghệ from
01/03/2025) names the successor, and a recipient with no contact recorded points to the
agency's official channels in the directory rather than a bare "no contact"."""

import html
import re

import pytest

from chinhthong.registry.models import Agency, ReportRecipient

INSPECTORATE = "thanh-tra-so-tttt-quang-ninh"
POLICE = "pa03-cong-an-quang-ninh"
LOCAL = "cong-an-dia-phuong"


def _sections(client) -> dict[str, str]:
    response = client.get("/phan-anh/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    found = re.findall(
        r'<section class="recipient" aria-labelledby="recipient-([\w-]+)">(.*?)</section>',
        page,
        re.S,
    )
    return {code: " ".join(body.split()) for code, body in found}


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_a_succeeded_agencys_recipient_names_whom_to_contact_today(client, default_registry):
    section = _sections(client)[INSPECTORATE]
    text = _text(section)
    assert (
        "Liên hệ hiện nay: Sở Khoa học và Công nghệ tỉnh Quảng Ninh . Nhiệm vụ của Sở Thông tin "
        "và Truyền thông tỉnh Quảng Ninh đã chuyển sang cơ quan này từ ngày 01/03/2025." in text
    )
    assert (
        '<a href="/danh-ba/co-quan/so-khcn-quang-ninh/">'
        "Sở Khoa học và Công nghệ tỉnh Quảng Ninh</a>" in section
    )
    # No contact recorded for it: the successor's official channels, not a bare "no contact".
    assert (
        '<a href="/danh-ba/co-quan/so-khcn-quang-ninh/">Liên hệ Sở Khoa học và Công nghệ tỉnh '
        "Quảng Ninh qua các kênh chính thống trong danh bạ</a>" in section
    )
    assert "Chưa có số điện thoại" not in text


def test_the_successors_own_contacts_are_shown(client, default_registry):
    Agency.objects.filter(code="so-khcn-quang-ninh").update(
        phone="0203.3835.444", email="skhcn@example.gov.vn"
    )
    section = _sections(client)[INSPECTORATE]
    assert '<a class="phone" href="tel:+842033835444">0203 3835 444</a>' in section
    assert 'href="mailto:skhcn@example.gov.vn"' in section


def test_a_recipient_without_contacts_points_to_its_agencys_channels(client, default_registry):
    sections = _sections(client)
    police = sections[POLICE]
    assert "Chưa có số điện thoại, thư điện tử hay địa chỉ của cơ quan này." in police
    assert (
        '<a href="/danh-ba/co-quan/cong-an-tinh-quang-ninh/">Liên hệ Công an tỉnh Quảng Ninh qua '
        "các kênh chính thống trong danh bạ</a>" in police
    )
    local = sections[LOCAL]  # no agency of its own: the directory
    assert '<a href="/danh-ba/">Tìm kênh chính thống của cơ quan gần bạn nhất trong danh bạ' in (
        local
    )


def test_a_recipient_with_contacts_of_its_own_shows_them(client, default_registry):
    ReportRecipient.objects.filter(code=POLICE).update(phone="069 2 123 456")
    police = _sections(client)[POLICE]
    assert '<a class="phone" href="tel:+84692123456">0692 123 456</a>' in police
    assert "Chưa có số điện thoại" not in police and "kênh chính thống trong danh bạ" not in police


@pytest.mark.parametrize("phone", ["", "0203 3835 444"])
def test_a_recipient_whose_agency_ceased_says_so(client, default_registry, phone):
    ReportRecipient.objects.create(
        code="cam-pha",
        name="Công an thành phố Cẩm Phả",
        kind="police",
        phone=phone,
        agency=Agency.objects.get(code="ubnd-tp-cam-pha"),
    )
    text = _text(_sections(client)["cam-pha"])
    assert (
        "Ủy ban nhân dân thành phố Cẩm Phả ngừng hoạt động từ ngày 01/07/2025; chưa ghi nhận đơn "
        "vị kế thừa." in text
    )
    assert "hãy phản ánh tới các cơ quan khác trên trang này" in text
    assert "Liên hệ Ủy ban nhân dân thành phố Cẩm Phả qua" not in text


def test_113_is_a_number_to_tap(client, default_registry):
    page = client.get("/phan-anh/").content.decode()
    assert 'hãy gọi Công an theo số <a class="phone" href="tel:113">113</a>.' in page
