"""Units, staff, managers and bulletins for the reach tests, made through the services every edge
uses (reach.organisation, bulletins.services, accounts.services). Any test may reuse them.

    tree = make_tree()          # QN (province) → CP (city) → CP-CT, CP-CP (wards); HL → HL-BC
    person = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    boss = make_manager(tree["CP"], "quanly-cp")
    bulletin = publish_bulletin("Cảnh báo lừa đảo", urgent=True)
"""

import itertools

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.bulletins import services as bulletins
from chinhthong.bulletins.models import Urgency
from chinhthong.reach import organisation
from chinhthong.reach.models import Category, StaffMember, Unit
from tests.conftest import PASSWORD

# code -> (name, parent code)
TREE = {
    "QN": ("Tỉnh Quảng Ninh", None),
    "CP": ("Thành phố Cẩm Phả", "QN"),
    "CP-CT": ("Phường Cẩm Tây", "CP"),
    "CP-CP": ("Phường Cẩm Phú", "CP"),
    "HL": ("Thành phố Hạ Long", "QN"),
    "HL-BC": ("Phường Bãi Cháy", "HL"),
}

_numbers = itertools.count(1)


def make_tree(tree: dict | None = None) -> dict[str, Unit]:
    """The units of ``tree`` (parents listed before their children), by code."""
    units: dict[str, Unit] = {}
    for code, (name, parent) in (tree or TREE).items():
        units[code] = organisation.create_unit(
            code=code, name=name, parent=units[parent] if parent else None
        )
    return units


def make_staff(
    unit: Unit, name: str, *, email: str | None = None, category: str = Category.CC
) -> StaffMember:
    """An active staff member of ``unit``; with an email (one is made up unless ``email=""``)
    they get an account with the staff role, as an import gives them."""
    if email is None:
        email = f"can-bo-{next(_numbers)}@quangninh.gov.vn"
    staff = StaffMember(name=name, unit=unit, category=category, email=email)
    return organisation.save_staff(staff)


def make_manager(unit: Unit, username: str, *, staff_of: Unit | None = None):
    """A user who manages ``unit`` (and so its subtree). With ``staff_of`` they are also on that
    unit's roster, as a unit's head usually is."""
    user = accounts.create_user(username, PASSWORD, role=roles.STAFF)
    organisation.add_manager(unit, user)
    if staff_of is not None:
        person = make_staff(staff_of, username, email="")
        person.user = user
        person.save(update_fields=["user"])
    return user


def make_user(role: str, username: str | None = None):
    return accounts.create_user(username or f"nguoi-{role}", PASSWORD, role=role)


def publish_bulletin(
    title: str = "Cảnh báo lừa đảo qua đường link giả",
    *,
    urgent: bool = False,
    units: list[Unit] | None = None,
    actor=None,
):
    """A bulletin published now, for the whole province or for ``units``' subtrees."""
    draft = bulletins.Draft(
        title=title,
        body_markdown="Không bấm vào **đường link** lạ.",
        urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
        whole_province=not units,
        units=units or [],
    )
    bulletin = bulletins.create_draft(draft, actor=actor)
    return bulletins.publish(bulletin, actor=actor)
