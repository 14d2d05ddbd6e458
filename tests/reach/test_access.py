"""Who sees which units and staff (reach/access.py): a manager the subtrees of the units they
manage, an administrator everything, anyone else nothing; a unit or a person out of reach is
refused exactly as a missing one is."""

import pytest

from chinhthong.accounts import roles
from chinhthong.config.refusals import NotFound
from chinhthong.reach import access, organisation
from tests.reach.factories import make_manager, make_staff, make_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = make_tree()
    return {
        "tree": tree,
        "ward": make_staff(tree["CP-CT"], "Nguyễn Văn An"),
        "far": make_staff(tree["HL-BC"], "Trần Thị Bình"),
        "city": make_manager(tree["CP"], "quanly-cp"),
        "sibling": make_manager(tree["HL"], "quanly-hl"),
        "province": make_manager(tree["QN"], "quanly-qn"),
        "ward_boss": make_manager(tree["CP-CT"], "quanly-ct", staff_of=tree["CP-CT"]),
    }


def _codes(units) -> set[str]:
    return {unit.code for unit in units}


def test_a_manager_sees_the_subtree_of_their_unit_and_nothing_else(world):
    assert _codes(access.units_for(world["city"])) == {"CP", "CP-CT", "CP-CP"}
    assert _codes(access.units_for(world["sibling"])) == {"HL", "HL-BC"}
    assert _codes(access.units_for(world["ward_boss"])) == {"CP-CT"}
    assert _codes(access.units_for(world["province"])) == set(world["tree"])


def test_a_unit_out_of_reach_is_refused_as_a_missing_one(world):
    assert access.unit_for(world["city"], "CP-CT").code == "CP-CT"
    for code in ("HL", "HL-BC", "QN", "khong-co"):
        with pytest.raises(NotFound) as refused:
            access.unit_for(world["city"], code)
        assert refused.value.status == 404
    with pytest.raises(NotFound):
        access.unit_for(world["ward_boss"], "CP")  # the unit above is not theirs


def test_staff_are_found_only_in_the_units_one_sees(world):
    ward, far = world["ward"], world["far"]
    assert access.staff_for(world["city"], ward.pk) == ward
    assert access.staff_for(world["province"], far.pk) == far
    for wanted in (far.pk, 999_999, "abc", 2**70, -1, None):
        with pytest.raises(NotFound):
            access.staff_for(world["city"], wanted)


@pytest.mark.parametrize(
    "role", [roles.STAFF, roles.EDITOR, roles.REPORT_HANDLER, roles.POLICE_LIAISON]
)
def test_other_roles_see_no_unit(world, role):
    user = make_user(role)
    assert not access.units_for(user).exists()
    assert not access.may_see_dashboards(user)
    assert access.top_units_for(user) == []
    with pytest.raises(NotFound):
        access.unit_for(user, "QN")
    with pytest.raises(NotFound):
        access.staff_for(user, world["ward"].pk)


def test_a_staff_member_on_a_roster_who_manages_nothing_sees_no_unit(world):
    person = make_staff(world["tree"]["CP-CT"], "Lê Văn Cường")
    assert not access.units_for(person.user).exists()


def test_administrators_see_every_unit(world):
    admin = make_user(roles.ADMINISTRATOR)
    assert _codes(access.units_for(admin)) == set(world["tree"])
    assert _codes(access.top_units_for(admin)) == {"QN"}
    assert access.staff_for(admin, world["far"].pk) == world["far"]


def test_someone_logged_out_or_deactivated_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not access.units_for(AnonymousUser()).exists()
    city = world["city"]
    city.is_active = False
    city.save()
    assert not access.units_for(city).exists()


def test_top_units_list_each_subtree_once(world):
    both = world["city"]
    organisation.add_manager(world["tree"]["CP-CT"], both)  # below a unit they manage already
    organisation.add_manager(world["tree"]["HL-BC"], both)
    assert [u.code for u in access.top_units_for(both)] == ["CP", "HL-BC"]


def test_moving_a_unit_moves_who_sees_it(world):
    tree = world["tree"]
    organisation.move_unit(tree["CP-CT"], tree["HL"])
    assert "CP-CT" not in _codes(access.units_for(world["city"]))
    assert "CP-CT" in _codes(access.units_for(world["sibling"]))
    assert access.staff_for(world["sibling"], world["ward"].pk) == world["ward"]
