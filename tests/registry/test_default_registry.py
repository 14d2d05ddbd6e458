"""The registry shipped in the package carries every channel, agency and report recipient
named in MISSION.md (letters 1341/STTTT-TTBCXB and 365/UBND-VHTT), each with its source."""

import pytest

from chinhthong.registry.models import Channel, ReportRecipient

# (kind, identifier field, canonical value, owner agency code, status)
LETTER_CHANNELS = [
    ("facebook_page", "facebook_username", "thongtinchinhphu", "van-phong-chinh-phu", "active"),
    ("facebook_page", "facebook_username", "s4tquangninh", "so-tttt-quang-ninh", "active"),
    (
        "facebook_page",
        "facebook_username",
        "truyenthongquangninh",
        "trung-tam-truyen-thong-quang-ninh",
        "active",
    ),
    ("facebook_page", "facebook_username", "kiemsoatbenhtat.quangninh", "cdc-quang-ninh", "active"),
    ("website", "host", "congchuc.quangninh.gov.vn", "so-tttt-quang-ninh", "active"),
    ("mail_domain", "host", "quangninh.gov.vn", "ubnd-tinh-quang-ninh", "active"),
    ("website", "host", "quangninh.gov.vn", "ubnd-tinh-quang-ninh", "active"),
]

NATIONAL_SITES = [
    "chinhphu.vn",
    "moh.gov.vn",
    "who.int",
    "dichvucong.gov.vn",
    "vneid.gov.vn",
    "gplx.gov.vn",
    "baohiemxahoi.gov.vn",
    "csgt.vn",
    "tingia.gov.vn",
]


@pytest.mark.parametrize(("kind", "field", "value", "agency", "status"), LETTER_CHANNELS)
def test_letter_channels_are_registered(default_registry, kind, field, value, agency, status):
    channel = Channel.objects.get(kind=kind, **{field: value})
    assert channel.agency.code == agency
    assert channel.status == status
    assert channel.source is not None


def test_channels_not_printed_in_full_stay_pending_review(default_registry):
    pending = {c.name: c for c in Channel.objects.filter(status="pending_review")}
    assert {
        "DDCI Quảng Ninh",
        "Smart Quảng Ninh",
        "Zalo Sở Thông tin và Truyền thông Quảng Ninh",
    } <= set(pending)
    ddci = pending["DDCI Quảng Ninh"]
    assert ddci.identifier_as_printed == "facebook.com/DDCI tinh Quang Ninh/"
    assert ddci.facebook_username == ""


def test_truncated_government_page_keeps_what_was_printed(default_registry):
    page = Channel.objects.get(facebook_username="thongtinchinhphu")
    assert page.identifier_as_printed == "facebook.com/thongtinchinhp/"
    assert page.verified_badge


@pytest.mark.parametrize("host", NATIONAL_SITES)
def test_national_and_international_sites(default_registry, host):
    assert Channel.objects.filter(kind="website", host=host, status="active").exists()


@pytest.mark.parametrize("host", ["chinhphu.vn", "moh.gov.vn", "who.int"])
def test_health_and_government_mail_domains(default_registry, host):
    assert Channel.objects.filter(kind="mail_domain", host=host, status="active").exists()


def test_report_recipients_of_letter_1341(default_registry):
    kinds = set(ReportRecipient.objects.values_list("kind", flat=True))
    assert kinds == {"inspectorate", "police", "local_security"}
    assert all(
        r.source and r.source.number == "1341/STTTT-TTBCXB" for r in ReportRecipient.objects.all()
    )


def test_look_alike_of_letter_1341_is_not_registered(default_registry):
    assert not Channel.objects.filter(host="quangning.gov.vn").exists()


def test_loading_twice_keeps_editor_changes(default_registry):
    from chinhthong.registry.services import load_default_registry

    Channel.objects.filter(host="who.int", kind="website").update(name="WHO (đã sửa)")
    assert load_default_registry() is None
    assert Channel.objects.get(host="who.int", kind="website").name == "WHO (đã sửa)"
