"""The site's header leads each person to the staff-side pages they may open, and to none
they may not: the units' dashboards for unit managers and administrators."""

import pytest
from django.test import Client

from chinhthong.accounts import roles
from tests.reach.factories import make_manager, make_staff, make_tree, make_user

pytestmark = pytest.mark.django_db
LINK = 'href="/cong-chuc/don-vi/"'


@pytest.mark.parametrize("role", sorted(roles.PERMISSIONS))
def test_the_dashboards_link_is_offered_to_whoever_may_open_them(role):
    make_tree()
    user = make_user(role)
    client = Client()
    client.force_login(user)
    offered = LINK in client.get("/ban-tin/").content.decode()
    opens = client.get("/cong-chuc/don-vi/").status_code in (200, 302)
    assert offered == opens == (role == roles.ADMINISTRATOR)


def test_a_unit_manager_is_offered_their_dashboards():
    manager = make_manager(make_tree()["CP"], "truong-phong")
    client = Client()
    client.force_login(manager)
    assert LINK in client.get("/ban-tin/").content.decode()
    assert client.get("/cong-chuc/don-vi/").status_code == 302  # to their one unit
    assert LINK not in Client().get("/ban-tin/").content.decode()


def test_a_page_not_for_this_person_says_why_and_where_to_go_instead():
    """Logged in, someone who opens a staff-side page that is not theirs gets a 404 that says
    why — not the public one, which warns of a fake link — and their own pages."""
    tree = make_tree()
    administrator = Client()
    administrator.force_login(make_user(roles.ADMINISTRATOR))
    page = administrator.get("/cong-chuc/")
    text = page.content.decode()
    assert page.status_code == 404
    assert "Trang này dành cho cán bộ có tên trong danh sách của một đơn vị" in text
    assert "Trang bạn yêu cầu không tồn tại" not in text  # no fake-link warning
    assert LINK in text and 'href="/quan-tri/"' in text

    person = make_staff(tree["CP-CT"], "Nguyễn Văn An")
    staff = Client()
    staff.force_login(person.user)
    page = staff.get("/cong-chuc/don-vi/")
    text = page.content.decode()
    assert page.status_code == 404 and "Bạn không quản lý đơn vị nào." in text
    assert 'href="/cong-chuc/"' in text and LINK not in text
