"""Reorganisation as data: an agency succeeded by another from a date (Sở Thông tin và Truyền
thông merged into Sở Khoa học và Công nghệ from 1 March 2025), or ceasing with none (the
district level removed from 1 July 2025). Pages, API, report recipients and the verifier name
the agency in charge today, and the one the source document names."""

import copy
import datetime as dt
import html
import json

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.checks import engines
from chinhthong.checks import services as checks
from chinhthong.registry import importing, snapshots, succession
from chinhthong.registry.exporting import registry_document
from chinhthong.registry.models import Agency, Channel, SourceDocument

OLD, NEW = "so-tttt-quang-ninh", "so-khcn-quang-ninh"
OLD_NAME = "Sở Thông tin và Truyền thông tỉnh Quảng Ninh"
NEW_NAME = "Sở Khoa học và Công nghệ tỉnh Quảng Ninh"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _agency(code: str, **fields) -> Agency:
    agency = Agency(code=code, name=fields.pop("name", code.upper()), level="province", **fields)
    agency.full_clean()
    agency.save()
    return agency


@pytest.fixture
def decision(default_registry):
    """A decision recorded for the merger of Sở TTTT (a number made up for the test)."""
    document = SourceDocument.objects.create(
        number="99/NQ-THU-NGHIEM", date=dt.date(2025, 2, 20), issuer="HĐND tỉnh (thử nghiệm)"
    )
    Agency.objects.filter(code=OLD).update(succession_document=document)
    return document


@pytest.fixture
def fresh_engine(monkeypatch):
    monkeypatch.setattr(engines, "REFRESH_SECONDS", 0)
    engines.reset()
    yield
    engines.reset()


# --- the default registry ----------------------------------------------------------------------
def test_default_registry_records_the_2025_reorganisation_of_quang_ninh(default_registry):
    old = Agency.objects.get(code=OLD)
    assert old.successor.code == NEW and old.successor.name == NEW_NAME
    assert old.succeeded_on == dt.date(2025, 3, 1)
    cam_pha = Agency.objects.get(code="ubnd-tp-cam-pha")
    assert cam_pha.successor is None and cam_pha.succeeded_on == dt.date(2025, 7, 1)
    # The channels keep the owner their source document names.
    assert Channel.objects.get(host="congchuc.quangninh.gov.vn", kind="website").agency == old


def test_a_channel_page_shows_its_owner_today_and_the_one_its_source_names(client, decision):
    page = _page(client, "/danh-ba/kenh/web-cong-thong-tin-cong-chuc/")
    assert "Đơn vị quản lý hiện nay" in page
    assert (
        f"{NEW_NAME}</a>\n    (tiếp nhận từ {OLD_NAME} theo 99/NQ-THU-NGHIEM, từ ngày 01/03/2025)"
        in page
    )
    assert f'Đơn vị nêu trong văn bản nguồn</dt><dd><a href="/danh-ba/co-quan/{OLD}/">' in page


def test_without_a_recorded_decision_the_page_says_only_when(client, default_registry):
    page = _page(client, "/danh-ba/kenh/app-smart-quang-ninh/")
    assert f"(tiếp nhận từ {OLD_NAME} từ ngày 01/03/2025)" in page
    assert " theo " not in page.split("Đơn vị quản lý hiện nay")[1].split("</dd>")[0]


def test_a_channel_of_an_agency_never_succeeded_shows_one_owner(client, default_registry):
    page = _page(client, "/danh-ba/kenh/facebook-kiem-soat-benh-tat-quang-ninh/")
    assert "Cơ quan chủ quản" in page and "Trung tâm Kiểm soát bệnh tật" in page
    assert "Đơn vị quản lý hiện nay" not in page
    assert "Đơn vị nêu trong văn bản nguồn" not in page


def test_the_agency_pages_tell_where_the_tasks_went(client, decision):
    old = _page(client, f"/danh-ba/co-quan/{OLD}/")
    assert "Từ ngày 01/03/2025, nhiệm vụ và các kênh của cơ quan này chuyển giao cho" in old
    assert f'<a href="/danh-ba/co-quan/{NEW}/">{NEW_NAME}</a> (theo 99/NQ-THU-NGHIEM)' in old
    new = _page(client, f"/danh-ba/co-quan/{NEW}/")
    assert "Tiếp nhận từ" in new and OLD_NAME in new
    # The channels it took over are listed as its own, saying from whom.
    assert "Cổng thông tin công chức" in new and f"tiếp nhận từ {OLD_NAME}" in new
    assert "Chưa có kênh nào" not in new


def test_an_agency_that_ceased_without_successor(client, default_registry):
    page = _page(client, "/danh-ba/co-quan/ubnd-tp-cam-pha/")
    assert (
        "Ủy ban nhân dân thành phố Cẩm Phả ngừng hoạt động từ ngày 01/07/2025; "
        "chưa ghi nhận đơn vị kế thừa." in page
    )


def test_a_channel_of_an_agency_that_ceased_has_no_owner_today(client, default_registry):
    cam_pha = Agency.objects.get(code="ubnd-tp-cam-pha")
    Channel.objects.filter(slug="web-cong-thong-tin-cong-chuc").update(agency=cam_pha)
    page = _page(client, "/danh-ba/kenh/web-cong-thong-tin-cong-chuc/")
    owner = page.split("Đơn vị quản lý hiện nay")[1].split("</dd>")[0]
    assert "chưa xác định" in owner and "ngừng hoạt động từ ngày 01/07/2025" in owner


def test_a_succession_recorded_ahead_takes_effect_on_its_date(client, default_registry):
    later = timezone.localdate() + dt.timedelta(days=30)
    y_te = Agency.objects.get(code="so-y-te-quang-ninh")
    y_te.successor, y_te.succeeded_on = _agency("so-y-te-moi", name="Sở Y tế mới"), later
    y_te.full_clean()
    y_te.save()
    agency = _page(client, "/danh-ba/co-quan/so-y-te-quang-ninh/")
    assert (
        f"Từ ngày {later:%d/%m/%Y}, nhiệm vụ và các kênh của cơ quan này sẽ chuyển giao" in agency
    )
    assert succession.ownership(y_te).current == y_te
    assert succession.ownership(y_te, later).current.code == "so-y-te-moi"


def test_a_chain_of_successions_leads_to_the_last(default_registry):
    new = Agency.objects.get(code=NEW)
    new.successor, new.succeeded_on = (
        _agency("so-sau-cung", name="Sở sau cùng"),
        dt.date(2026, 1, 1),
    )
    new.full_clean()
    new.save()
    owner = succession.ownership(Agency.objects.get(code=OLD))
    assert owner.current.code == "so-sau-cung" and owner.handed_over_by.code == NEW
    assert succession.ownership(Agency.objects.get(code=OLD), dt.date(2025, 6, 1)).current == new
    last = Agency.objects.get(code="so-sau-cung")
    assert [a.code for a in succession.predecessors_in_charge(last)] == [NEW, OLD]


# --- API ---------------------------------------------------------------------------------------
def test_the_api_names_both_owners(client, decision):
    channel = client.get("/api/v1/channels/web-cong-thong-tin-cong-chuc").json()
    assert channel["agency"] == OLD and channel["agency_name"] == OLD_NAME
    assert channel["current_agency"] == NEW and channel["current_agency_name"] == NEW_NAME
    agency = client.get(f"/api/v1/agencies/{OLD}").json()
    assert agency["successor"] == NEW and agency["succeeded_on"] == "2025-03-01"
    assert agency["succession_document"] == "99/NQ-THU-NGHIEM"
    # Asking for the agency in charge finds the channels it took over.
    taken = client.get("/api/v1/channels", {"agency": NEW, "kind": "website"}).json()
    assert [c["slug"] for c in taken["items"]] == ["web-cong-thong-tin-cong-chuc"]


def test_report_recipients_show_the_successor_to_contact(client, default_registry):
    recipients = {r["code"]: r for r in client.get("/api/v1/report-recipients").json()}
    inspectorate = recipients["thanh-tra-so-tttt-quang-ninh"]
    assert inspectorate["agency"] == OLD
    assert inspectorate["current_agency"] == NEW and inspectorate["current_agency_name"] == NEW_NAME
    police = recipients["pa03-cong-an-quang-ninh"]
    assert police["current_agency"] == police["agency"] == "cong-an-tinh-quang-ninh"
    assert recipients["cong-an-dia-phuong"]["current_agency"] is None
    contacts = {r.code: r.ownership for r in succession.recipients_to_contact()}
    assert contacts["thanh-tra-so-tttt-quang-ninh"].current.code == NEW


# --- the verifier and the published snapshot --------------------------------------------------
def test_the_verifier_names_the_owner_today(default_registry, fresh_engine):
    result = checks.check("https://congchuc.quangninh.gov.vn/tin-tuc")
    assert result.verdict == "official"
    assert result.channel.agency == NEW and result.channel.agency_name == NEW_NAME
    assert NEW_NAME in " ".join(checks.render_reason(r) for r in result.reasons)


def test_an_old_name_still_counts_as_a_claim(default_registry, fresh_engine):
    """Scam mail keeps using the name of the merged department."""
    result = checks.check(f'"{OLD_NAME}" <thongbao.stttt@gmail.com>')
    assert result.verdict == "impersonation"


def test_the_snapshot_keeps_the_owner_the_source_names(default_registry):
    document = json.loads(bytes(snapshots.latest_snapshot().body))
    channel = next(c for c in document["channels"] if c["slug"] == "web-cong-thong-tin-cong-chuc")
    assert channel["agency"] == NEW and channel["source_agency"] == OLD
    recipient = next(
        r for r in document["report_recipients"] if r["code"] == "thanh-tra-so-tttt-quang-ninh"
    )
    assert recipient["agency"] == NEW and recipient["source_agency"] == OLD
    agency = next(a for a in document["agencies"] if a["code"] == OLD)
    assert agency["successor"] == NEW and agency["succeeded_on"] == "2025-03-01"


def test_a_snapshot_rebuilt_on_the_date_publishes_the_new_owner(default_registry):
    later = timezone.localdate() + dt.timedelta(days=10)
    Agency.objects.filter(code="cdc-quang-ninh").update(
        successor=Agency.objects.get(code="so-y-te-quang-ninh"), succeeded_on=later
    )
    document = registry_document(published_only=True)
    slug = "facebook-kiem-soat-benh-tat-quang-ninh"
    today = succession.publish_current_owners(copy.deepcopy(document), timezone.localdate())
    then = succession.publish_current_owners(copy.deepcopy(document), later)
    assert next(c for c in today["channels"] if c["slug"] == slug)["agency"] == "cdc-quang-ninh"
    assert next(c for c in then["channels"] if c["slug"] == slug)["agency"] == "so-y-te-quang-ninh"


# --- validation: back office and model ----------------------------------------------------------
def _messages(agency: Agency) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        agency.full_clean()
    return caught.value.message_dict


def test_an_agency_cannot_succeed_itself(default_registry):
    agency = Agency.objects.get(code="so-y-te-quang-ninh")
    agency.successor, agency.succeeded_on = agency, dt.date(2025, 1, 1)
    assert _messages(agency)["successor"] == [
        "Một cơ quan không thể là đơn vị kế thừa của chính nó."
    ]


def test_successions_may_not_form_a_loop(default_registry):
    new = Agency.objects.get(code=NEW)
    new.successor, new.succeeded_on = Agency.objects.get(code=OLD), dt.date(2026, 1, 1)
    (message,) = _messages(new)["successor"]
    assert message.startswith(
        f"Các quan hệ kế thừa này sẽ tạo thành vòng lặp: {NEW_NAME} → {OLD_NAME} → {NEW_NAME}."
    )


def test_a_successor_needs_its_date(default_registry):
    agency = Agency.objects.get(code="so-y-te-quang-ninh")
    agency.successor = Agency.objects.get(code=NEW)
    assert _messages(agency)["succeeded_on"] == ["Hãy nhập ngày đơn vị kế thừa bắt đầu tiếp nhận."]


def test_the_database_refuses_a_successor_without_date(default_registry):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(code="so-y-te-quang-ninh").update(
            successor=Agency.objects.get(code=NEW), succeeded_on=None
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(code=NEW).update(successor=Agency.objects.get(code=NEW))


def _change_form(agency: Agency) -> dict:
    model_admin = admin.site._registry[Agency]
    request = RequestFactory().get("/")
    request.user = accounts.create_user("xem-form", "mật-khẩu-dài-123", role=roles.EDITOR)
    form = model_admin.get_form(request, agency, change=True)(instance=agency)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        data[name] = "" if value is None else field.widget.format_value(value) or ""
    return data


def test_the_back_office_refuses_a_loop_in_vietnamese(client, editor, default_registry):
    new = Agency.objects.get(code=NEW)
    data = _change_form(new) | {
        "successor": Agency.objects.get(code=OLD).pk,
        "change_reason": "Thử một vòng lặp",
    }
    client.force_login(editor)
    response = client.post(f"/quan-tri/registry/agency/{new.pk}/change/", data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Các quan hệ kế thừa này sẽ tạo thành vòng lặp" in page
    assert "Hãy nhập ngày đơn vị kế thừa bắt đầu tiếp nhận." in page
    assert Agency.objects.get(code=NEW).successor is None


def test_the_back_office_records_a_succession(client, editor, default_registry):
    y_te = Agency.objects.get(code="so-y-te-quang-ninh")
    data = _change_form(y_te) | {
        "successor": Agency.objects.get(code=NEW).pk,
        "succeeded_on": "01/01/2026",
        "change_reason": "Sáp nhập theo quyết định (thử nghiệm)",
    }
    client.force_login(editor)
    response = client.post(f"/quan-tri/registry/agency/{y_te.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    y_te.refresh_from_db()
    assert y_te.successor.code == NEW and y_te.succeeded_on == dt.date(2026, 1, 1)


# --- import and export ---------------------------------------------------------------------------
def _problems(document) -> list[str]:
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_registry(document)
    return [str(p) for p in caught.value.result.problems]


def _agency_entry(code: str, **fields) -> dict:
    return {"code": code, "name": f"Cơ quan {code}", "level": "province", **fields}


def test_import_creates_successors_listed_after_their_predecessors(db):
    document = {
        "documents": [{"number": "1/QD-TN", "issuer": "UBND tỉnh"}],
        "agencies": [
            _agency_entry(
                "cu", successor="moi", succeeded_on="2025-03-01", succession_document="1/QD-TN"
            ),
            _agency_entry("moi"),
        ],
    }
    importing.import_registry(copy.deepcopy(document))
    old = Agency.objects.get(code="cu")
    assert old.successor.code == "moi" and old.succession_document.number == "1/QD-TN"
    assert Agency.history.filter(code="cu").count() == 2  # created, then linked
    exported = {a["code"]: a for a in registry_document()["agencies"]}
    assert exported["cu"]["successor"] == "moi" and exported["cu"]["succeeded_on"] == "2025-03-01"
    again = importing.import_registry(copy.deepcopy(document))
    assert set(again.counts()) == {"unchanged"}


def test_import_refuses_bad_successions_and_writes_nothing(default_registry):
    before = json.dumps(registry_document(), ensure_ascii=False)
    document = {
        "agencies": [
            _agency_entry("tu-thay", successor="tu-thay", succeeded_on="2025-01-01"),
            _agency_entry("khong-ngay", successor=NEW),
            _agency_entry("vong-a", successor="vong-b", succeeded_on="2025-01-01"),
            _agency_entry("vong-b", successor="vong-a", succeeded_on="2025-01-01"),
            _agency_entry("ngay-sai", successor=NEW, succeeded_on="01/03/2025"),
            _agency_entry("khong-co", successor="khong-ton-tai", succeeded_on="2025-01-01"),
        ]
    }
    problems = _problems(document)
    assert problems == [
        "agencies[5] «ngay-sai», trường “succeeded_on”: “01/03/2025” không phải là ngày; "
        "hãy ghi theo dạng YYYY-MM-DD.",
        "agencies[6] «khong-co», trường “successor”: “khong-ton-tai” không có trong tệp và "
        "cũng không có trong danh mục.",
        "agencies[1] «tu-thay», trường “successor”: "
        "Một cơ quan không thể là đơn vị kế thừa của chính nó.",
        "agencies[2] «khong-ngay», trường “succeeded_on”: "
        "Hãy nhập ngày đơn vị kế thừa bắt đầu tiếp nhận.",
        "agencies[3] «vong-a», trường “successor”: Các quan hệ kế thừa này sẽ tạo thành vòng "
        "lặp: vong-a → vong-b → vong-a. Một cơ quan không thể, trực tiếp hay qua cơ quan khác, "
        "kế thừa cơ quan đang kế thừa nó.",
        "agencies[4] «vong-b», trường “successor”: Các quan hệ kế thừa này sẽ tạo thành vòng "
        "lặp: vong-b → vong-a → vong-b. Một cơ quan không thể, trực tiếp hay qua cơ quan khác, "
        "kế thừa cơ quan đang kế thừa nó.",
    ]
    assert json.dumps(registry_document(), ensure_ascii=False) == before


def test_import_judges_a_loop_with_the_registry_as_it_will_be(default_registry):
    # Sở KH&CN succeeding Sở TTTT closes a loop with what the registry holds...
    looping = {"agencies": [_agency_entry(NEW, successor=OLD, succeeded_on="2026-01-01")]}
    assert any("vòng lặp" in p for p in _problems(looping))
    # ...unless the same file takes the earlier succession away.
    fixed = copy.deepcopy(looping)
    fixed["agencies"].append(_agency_entry(OLD))
    importing.import_registry(fixed)
    assert Agency.objects.get(code=NEW).successor.code == OLD
    assert Agency.objects.get(code=OLD).successor is None


def test_a_decision_needs_a_date(default_registry):
    document = {
        "agencies": [_agency_entry("co-quyet-dinh", succession_document="1341/STTTT-TTBCXB")]
    }
    assert _problems(document) == [
        "agencies[1] «co-quyet-dinh», trường “succeeded_on”: "
        "Hãy nhập ngày văn bản quyết định việc kế thừa có hiệu lực."
    ]


def test_the_directory_says_who_runs_the_channels_now(client, default_registry):
    page = _page(client, "/danh-ba/")
    block = page.split(f'id="agency-{OLD}"')[1].split("</ul>")[0]
    assert f'Đơn vị quản lý hiện nay: <a href="/danh-ba/co-quan/{NEW}/">{NEW_NAME}</a>' in block
    assert "Cổng thông tin công chức" in block
