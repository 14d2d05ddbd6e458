"""Deliveries in the back office: administrators read them, filtered by status, channel and
bulletin, with the bulletin's counts per channel and status; nobody changes them there."""

import re

import pytest
from django.test import Client

from chinhthong.accounts import roles
from chinhthong.delivery import queries
from chinhthong.delivery.models import Channel, Delivery, Status
from tests.reach.factories import make_staff, make_tree, make_user, publish_bulletin

pytestmark = pytest.mark.django_db
LIST = "/quan-tri/delivery/delivery/"


@pytest.fixture
def sent(mail, committed):
    tree = make_tree()
    make_staff(tree["CP-CT"], "Cán bộ Một", email="mot@quangninh.gov.vn")
    make_staff(tree["CP-CT"], "Cán bộ Hai", email="hai@quangninh.gov.vn")
    make_staff(tree["HL"], "Cán bộ Ba", email="")
    mail.refuse("hai@quangninh.gov.vn", "550 5.1.1 User unknown")
    with committed():
        urgent = publish_bulletin("Cảnh báo khẩn", urgent=True)
        normal = publish_bulletin("Lịch họp tuần")
    return urgent, normal


def _as(role: str) -> Client:
    client = Client()
    client.force_login(make_user(role))
    return client


def test_administrators_read_deliveries_with_filters_and_a_summary(sent):
    urgent, _normal = sent
    client = _as(roles.ADMINISTRATOR)
    page = client.get(LIST)
    assert page.status_code == 200
    assert page.content.decode().count('class="field-staff_name"') == 8  # 3+3 portal, 2 email
    failed = client.get(LIST, {"status__exact": Status.PERMANENT_FAILURE})
    assert failed.content.decode().count('class="field-staff_name"') == 1
    assert "550 5.1.1" in failed.content.decode()
    mine = client.get(LIST, {"bulletin": urgent.pk, "channel__exact": Channel.EMAIL})
    text = mine.content.decode()
    assert text.count('class="field-staff_name"') == 2
    assert f"Các lượt gửi của {urgent.slug}" in text and 'class="delivery-summary"' in text
    assert client.get(LIST, {"bulletin": "khong-phai-so"}).status_code == 200

    row = Delivery.objects.filter(channel=Channel.EMAIL).first()
    assert client.get(f"{LIST}{row.pk}/change/").status_code == 200  # to read
    assert client.get(f"{LIST}add/").status_code == 403
    before = list(Delivery.objects.values())
    refused = client.post(f"{LIST}{row.pk}/change/", {"status": Status.DELIVERED})
    assert refused.status_code == 403
    assert client.post(f"{LIST}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(Delivery.objects.values()) == before


@pytest.mark.parametrize("role", [roles.EDITOR, roles.REPORT_HANDLER])
def test_other_back_office_roles_do_not_see_deliveries(sent, role):
    assert _as(role).get(LIST).status_code == 403


def test_the_summary_counts_each_channel_and_status(sent):
    urgent, normal = sent
    lines = {line.channel: line for line in queries.status_summary(urgent)}
    assert lines[Channel.PORTAL].count(Status.DELIVERED) == 3
    assert lines[Channel.EMAIL].count(Status.DELIVERED) == 1
    assert lines[Channel.EMAIL].count(Status.PERMANENT_FAILURE) == 1
    assert lines[Channel.EMAIL].total == 2
    assert [line.channel for line in queries.status_summary(normal)] == [Channel.PORTAL]
    ((channel, status, reason, n),) = queries.failure_reasons(urgent)
    assert (channel, status, n) == (Channel.EMAIL, Status.PERMANENT_FAILURE, 1)
    assert "550 5.1.1 User unknown" in reason


def test_a_deliverys_page_names_every_field_in_vietnamese(sent):
    row = Delivery.objects.filter(channel=Channel.EMAIL).first()
    page = _as(roles.ADMINISTRATOR).get(f"{LIST}{row.pk}/change/").content.decode()
    labels = re.findall(r"<label>([^<]*):</label>", page)
    assert labels == [
        "Cán bộ",
        "Kênh",
        "Loại",
        "Mã định danh tin",
        "Bản tin",
        "Phiên bản",
        "Trạng thái",
        "Lý do",
        "Số lần thử",
        "Thử lại lúc",
        "Mã tin của nhà cung cấp",
        "Tạo lúc",
        "Gửi lúc",
        "Đến nơi lúc",
        "Cập nhật lúc",
    ]
    for english in ("Staff:", "Key:", "Bulletin:", "Version:", "Next attempt at:", "Provider id:"):
        assert english not in page


def test_every_field_of_the_delivery_models_has_a_vietnamese_name():
    """Whatever screen shows a delivery model (the back office, an error), it names its fields
    in Vietnamese, not with the English Django makes up from the attribute's name."""
    from django.apps import apps
    from django.utils import translation
    from django.utils.text import camel_case_to_spaces

    with translation.override("vi"):
        for model in apps.get_app_config("delivery").get_models():
            names = [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
            names += [str(f.verbose_name) for f in model._meta.fields if f.name != "id"]
            default = camel_case_to_spaces(model.__name__)
            made_up = {default, f"{default}s"}
            made_up |= {f.name.replace("_", " ") for f in model._meta.fields}
            assert not made_up & set(names), (model.__name__, made_up & set(names))
