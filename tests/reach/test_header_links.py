"""The site's header leads each person to the staff-side pages they may open, and to none
they may not: the units' dashboards for unit managers and administrators."""

import pytest
from django.test import Client

from chinhthong.accounts import roles
from tests.reach.factories import make_manager, make_tree, make_user

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
