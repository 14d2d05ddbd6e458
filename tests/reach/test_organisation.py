"""Units and staff in the back office and through the organisation's services: the tree shown
indented, managers and their role, edits checked as imports check them, no deletion."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.config.refusals import Refused
from chinhthong.reach import importers, organisation, staff_import
from chinhthong.reach.models import StaffMember, Unit
from tests.conftest import PASSWORD

DATA = Path(__file__).parent / "data"


@pytest.fixture
def units(db):
    importers.import_units((DATA / "units.csv").read_bytes(), "units.csv")
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def administrator_client(client, units):
    user = accounts.create_user("quan-tri-don-vi", PASSWORD, role=roles.ADMINISTRATOR)
    client.force_login(user)
    return client


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def unit_form(unit: Unit | None = None, **changes) -> dict:
    data = {"code": "", "name": "", "parent": "", "active": "on", "managers": []}
    if unit is not None:
        data.update(
            code=unit.code,
            name=unit.name,
            parent=str(unit.parent_id or ""),
            managers=[str(pk) for pk in unit.managers.values_list("pk", flat=True)],
        )
    data.update(changes)
    return data


def test_the_unit_list_shows_the_tree_indented(administrator_client):
    page = administrator_client.get("/quan-tri/reach/unit/").content.decode()
    names = re.findall(r'padding-inline-start: ([\d.]+)em">(?:└ )?([^<]+)</span>', page)
    assert names == [
        ("0.0", "Tỉnh Quảng Ninh"),
        ("1.5", "Thành phố Cẩm Phả"),
        ("3.0", "Phường Cẩm Tây"),
        ("4.5", "Khu phố 1"),
        ("6.0", "Tổ dân phố 1"),
        ("1.5", "Thành phố Hạ Long"),
        ("3.0", "Phường Bãi Cháy"),
    ]


def test_a_unit_added_and_moved_in_the_back_office_keeps_its_subtree(administrator_client, units):
    response = administrator_client.post(
        "/quan-tri/reach/unit/add/",
        unit_form(code="CP-QH", name="Phường Quang Hanh", parent=str(units["CP"].pk)),
    )
    assert response.status_code == 302
    ward = Unit.objects.get(code="CP-QH")
    assert ward in organisation.subtree(units["CP"]) and ward.depth == 2
    # Cẩm Tây goes under Hạ Long, with its neighbourhoods.
    cam_tay = units["CP-CT"]
    moved = administrator_client.post(
        f"/quan-tri/reach/unit/{cam_tay.pk}/change/",
        unit_form(cam_tay, parent=str(units["HL"].pk)),
    )
    assert moved.status_code == 302
    assert Unit.objects.get(code="CP-CT-K1-T1") in organisation.subtree(units["HL"])
    # Not under a unit of its own subtree.
    refused = administrator_client.post(
        f"/quan-tri/reach/unit/{cam_tay.pk}/change/",
        unit_form(Unit.objects.get(code="CP-CT"), parent=str(units["CP-CT-K1"].pk)),
    )
    assert refused.status_code == 200
    assert "Không thể đặt một đơn vị vào dưới chính nó" in text(refused)


def test_managers_chosen_in_the_back_office_get_and_lose_the_role(administrator_client, units):
    boss = get_user_model().objects.create_user("truong-phong", password=PASSWORD)
    cp = units["CP"]
    url = f"/quan-tri/reach/unit/{cp.pk}/change/"
    assert administrator_client.post(url, unit_form(cp, managers=[str(boss.pk)])).status_code == 302
    assert boss.groups.filter(name=roles.UNIT_MANAGER).exists()
    assert list(cp.managers.all()) == [boss]
    assert administrator_client.post(url, unit_form(cp, managers=[])).status_code == 302
    assert not boss.groups.filter(name=roles.UNIT_MANAGER).exists()


def test_a_manager_of_two_units_keeps_the_role_while_managing_one(units):
    boss = get_user_model().objects.create_user("truong-phong", password=PASSWORD)
    organisation.add_manager(units["CP"], boss)
    organisation.add_manager(units["HL"], boss)
    organisation.set_managers(units["CP"], [])
    assert boss.groups.filter(name=roles.UNIT_MANAGER).exists()
    organisation.set_managers(units["HL"], [])
    assert not boss.groups.filter(name=roles.UNIT_MANAGER).exists()


def test_staff_edited_in_the_back_office_are_checked_and_get_an_account(
    administrator_client, units
):
    form = {
        "name": "Nguyễn Văn An",
        "unit": str(units["CP-CT"].pk),
        "position": "",
        "category": "CB",
        "email": "An.NV@QuangNinh.gov.vn",
        "phone": "0912 abc",
        "zalo_id": "",
    }
    refused = administrator_client.post("/quan-tri/reach/staffmember/add/", form)
    assert refused.status_code == 200 and "không phải số điện thoại" in text(refused)
    assert not StaffMember.objects.exists()
    form["phone"] = "0912 345 678"
    assert administrator_client.post("/quan-tri/reach/staffmember/add/", form).status_code == 302
    an = StaffMember.objects.get()
    assert an.email == "an.nv@quangninh.gov.vn" and an.phone == "+84912345678"
    assert an.user.username == "an.nv@quangninh.gov.vn"
    change = administrator_client.get(f"/quan-tri/reach/staffmember/{an.pk}/change/")
    assert 'value="0912 345 678"' in change.content.decode()  # as people write it
    listed = administrator_client.get("/quan-tri/reach/staffmember/?q=0912+345+678")
    assert "Nguyễn Văn An" in text(listed)


def test_staff_are_deactivated_never_deleted(administrator_client, units):
    staff_import.import_staff((DATA / "staff.csv").read_bytes(), "staff.csv")
    an = StaffMember.objects.get(email="an.nv@quangninh.gov.vn")
    assert (
        administrator_client.get(f"/quan-tri/reach/staffmember/{an.pk}/delete/").status_code == 403
    )
    response = administrator_client.post(
        "/quan-tri/reach/staffmember/",
        {"action": "deactivate_staff", "_selected_action": [str(an.pk)], "index": "0"},
    )
    assert response.status_code == 302
    an.refresh_from_db()
    assert not an.active and an.left_at is not None and not an.user.is_active
    assert StaffMember.objects.count() == 5
    inactive = administrator_client.get("/quan-tri/reach/staffmember/?active__exact=0")
    assert "Nguyễn Văn An" in text(inactive) and "Trần Thị Bình" not in text(inactive)


def test_the_staff_list_filters_by_a_unit_and_the_units_below_it(administrator_client, units):
    staff_import.import_staff((DATA / "staff.csv").read_bytes(), "staff.csv")
    page = text(
        administrator_client.get(f"/quan-tri/reach/staffmember/?unit_tree={units['CP'].pk}")
    )
    assert "Nguyễn Văn An" in page and "Hoàng Văn Em" in page  # Cẩm Tây and a street under it
    assert "Lê Văn Cường" not in page  # Bãi Cháy, under Hạ Long


def test_update_unit_refuses_a_cycle(units):
    with pytest.raises(Refused):
        organisation.update_unit(
            units["CP"],
            code="CP",
            name="Thành phố Cẩm Phả",
            parent=units["CP-CT-K1-T1"],
            active=True,
        )
    assert Unit.objects.get(code="CP").parent == units["QN"]


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("912345678", "+84912345678"),
        ("0203 3835 444", "+842033835444"),
        ("024 3823 4567", "+842438234567"),
    ],
)
def test_phone_numbers_are_canonicalised_once(written, stored):
    assert organisation.staff_phone(written) == stored


@pytest.mark.parametrize("written", ["113", "1900 561 256", "+1 202 555 0100", "0123", "abc"])
def test_numbers_that_are_not_a_persons_are_refused(written):
    with pytest.raises(organisation.InvalidValue):
        organisation.staff_phone(written)
