"""An editor adds or changes a channel in the back office with an identifier another channel
already has — written the same, or written differently but meaning the same (Facebook usernames
ignore case and dots; domains ignore case; phone numbers their spacing). The form comes back
with a Vietnamese error beside the field, naming the channel that has it; nothing is saved,
and nothing answers 500."""

import pytest
from django.contrib import admin

from chinhthong.registry.models import Agency, Channel
from tests.accounts.test_back_office_permissions import form_data

ADD = "/quan-tri/registry/channel/add/"
GOVERNMENT_PAGE = "Thông tin Chính phủ"


@pytest.fixture
def editing(client, editor, default_registry):
    client.force_login(editor)
    return client


def _new_channel(**fields) -> dict:
    agency = Agency.objects.get(code="so-tttt-quang-ninh")
    return {
        "slug": "kenh-moi",
        "agency": agency.pk,
        "name": "Kênh mới",
        "status": "pending_review",
        "change_reason": "Thêm kênh theo văn bản mới",
        **fields,
    }


def _refused(client, url: str, data: dict) -> dict[str, list[str]]:
    before = list(Channel.objects.order_by("pk").values())
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code  # the form again, not a 500
    assert list(Channel.objects.order_by("pk").values()) == before, "nothing may be saved"
    return response.context["adminform"].form.errors


@pytest.mark.parametrize(
    "username",
    ["thongtinchinhphu", "Thong.Tin.ChinhPhu", "THONGTINCHINHPHU", "thong.tin.chinh.phu"],
)
def test_a_facebook_page_already_in_the_registry_is_refused_naming_its_channel(editing, username):
    data = _new_channel(kind="facebook_page", facebook_username=username)
    errors = _refused(editing, ADD, data)
    assert errors["facebook_username"] == [
        f"“{username}” là cùng một trang Facebook với kênh “{GOVERNMENT_PAGE}” "
        "(facebook.com/thongtinchinhphu): tên người dùng Facebook không phân biệt chữ hoa, "
        "chữ thường và dấu chấm."
    ]


def test_a_facebook_page_given_only_by_its_link_is_refused_too(editing):
    data = _new_channel(kind="facebook_page", url="https://www.facebook.com/Thong.Tin.ChinhPhu/")
    errors = _refused(editing, ADD, data)
    assert GOVERNMENT_PAGE in errors["facebook_username"][0]


def test_changing_another_channel_to_an_existing_page_is_refused(editing):
    other = Channel.objects.get(slug="facebook-ddci-tttt-quang-ninh")
    model_admin = admin.site._registry[Channel]
    data = {
        **form_data(model_admin, other),
        "facebook_username": "ThongTinChinhPhu",
        "change_reason": "Sửa tên trang",
    }
    errors = _refused(editing, f"/quan-tri/registry/channel/{other.pk}/change/", data)
    assert GOVERNMENT_PAGE in errors["facebook_username"][0]


def test_a_channel_keeps_its_own_page_when_saved_again(editing):
    page = Channel.objects.get(slug="facebook-thong-tin-chinh-phu")
    model_admin = admin.site._registry[Channel]
    data = {
        **form_data(model_admin, page),
        "facebook_username": "Thong.Tin.ChinhPhu",
        "change_reason": "Ghi tên trang như Facebook hiển thị",
    }
    response = editing.post(f"/quan-tri/registry/channel/{page.pk}/change/", data)
    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.facebook_username, page.facebook_key) == ("Thong.Tin.ChinhPhu", "thongtinchinhphu")


def _holder(**identifier) -> Channel:
    return Channel.objects.exclude(**{next(iter(identifier)): ""}).filter(**identifier).get()


@pytest.mark.parametrize(
    ("fields", "field", "holder", "shown"),
    [
        # a website's domain, written in capitals and taken from the link
        (
            {"kind": "website", "url": "https://CongChuc.QuangNinh.gov.vn/tin-tuc"},
            "host",
            {"host": "congchuc.quangninh.gov.vn", "kind": "website"},
            "congchuc.quangninh.gov.vn",
        ),
        # a mail domain, written in capitals
        (
            {"kind": "mail_domain", "host": "QuangNinh.GOV.vn"},
            "host",
            {"host": "quangninh.gov.vn", "kind": "mail_domain"},
            "quangninh.gov.vn",
        ),
    ],
    ids=["website-from-link", "mail-domain"],
)
def test_other_identifiers_in_another_form_are_refused_naming_the_channel(
    editing, fields, field, holder, shown
):
    existing = _holder(**holder)
    errors = _refused(editing, ADD, _new_channel(**fields))
    assert errors[field] == [
        f"Kênh “{existing.name}” (mã {existing.slug}) đã dùng định danh này ({shown})."
    ]


def test_the_same_domain_may_serve_as_a_website_and_a_mail_domain(editing):
    assert Channel.objects.filter(kind="website", host="quangninh.gov.vn").exists()
    Channel.objects.filter(kind="mail_domain", host="quangninh.gov.vn").delete()
    response = editing.post(ADD, _new_channel(kind="mail_domain", host="QuangNinh.gov.vn"))
    assert response.status_code == 302
    assert Channel.objects.get(slug="kenh-moi").host == "quangninh.gov.vn"


def test_a_phone_number_written_another_way_is_refused(editing):
    agency = Agency.objects.get(code="so-tttt-quang-ninh")
    Channel.objects.create(
        slug="duong-day-nong",
        agency=agency,
        kind="hotline",
        name="Đường dây nóng",
        phone="+842033835444",
        status="active",
    )
    errors = _refused(editing, ADD, _new_channel(kind="hotline", phone="0203 3835 444"))
    assert errors["phone"] == [
        "Kênh “Đường dây nóng” (mã duong-day-nong) đã dùng định danh này (+842033835444)."
    ]
