"""Every address of the staff portal × every role (on a roster or not) and someone with no
account × GET and POST: the exact status, and exactly what is written — a person writes only
their own events, and only by what they do; anyone not on a roster writes nothing. The
personal link needs no account: whoever opens it, it records for the person it was sent to.
Every address is also counted against the rate limit."""

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from chinhthong.accounts import roles
from chinhthong.accounts import services as accounts
from chinhthong.reach import links
from chinhthong.reach.models import EventKind, ReachEvent
from tests.reach.factories import make_staff, make_tree, make_user, publish_bulletin

pytestmark = pytest.mark.django_db

# None: someone with no account.
VISITORS = [
    None,
    *[(role, False) for role in roles.PERMISSIONS],
    *[(role, True) for role in roles.PERMISSIONS],
]
R, S, V, A = EventKind.READ, EventKind.SHARED, EventKind.APP_INSTALLED, EventKind.ACCESS


def _addresses(world) -> list[tuple]:
    """(method, path, data, status for: no account, not on a roster, on a roster;
    kinds written for the visitor when on a roster, kinds written for the link's person)."""
    read, other, far = world["read"], world["other"], world["far"]
    token = links.token_for(world["owner"], world["read"])
    today = timezone.localdate().isoformat()
    return [
        ("get", "/cong-chuc/", {}, (302, 404, 200), [A], []),
        ("post", "/cong-chuc/", {}, (405, 405, 405), [], []),
        ("get", "/cong-chuc/chua-doc/", {}, (302, 404, 200), [], []),
        ("post", "/cong-chuc/chua-doc/", {}, (405, 405, 405), [], []),
        ("get", f"/cong-chuc/ban-tin/{read.slug}/", {}, (302, 404, 200), [R], []),
        ("post", f"/cong-chuc/ban-tin/{read.slug}/", {}, (405, 405, 405), [], []),
        ("get", f"/cong-chuc/ban-tin/{far.slug}/", {}, (302, 404, 404), [], []),
        ("get", f"/cong-chuc/ban-tin/{other.slug}/da-doc/", {}, (405, 405, 405), [], []),
        ("post", f"/cong-chuc/ban-tin/{other.slug}/da-doc/", {}, (302, 404, 302), [R], []),
        ("post", f"/cong-chuc/ban-tin/{far.slug}/da-doc/", {}, (302, 404, 404), [], []),
        ("get", f"/cong-chuc/ban-tin/{read.slug}/chia-se/", {}, (405, 405, 405), [], []),
        (
            "post",
            f"/cong-chuc/ban-tin/{read.slug}/chia-se/",
            {"via": "zalo"},
            (302, 404, 302),
            [S],
            [],
        ),
        ("post", f"/cong-chuc/ban-tin/{far.slug}/chia-se/", {"via": "x"}, (302, 404, 404), [], []),
        ("get", "/cong-chuc/ung-dung/", {}, (302, 404, 200), [], []),
        ("post", "/cong-chuc/ung-dung/", {"on": today}, (302, 404, 302), [V], []),
        ("post", "/cong-chuc/ung-dung/", {"on": "2999-01-01"}, (302, 404, 400), [], []),
        ("get", "/cong-chuc/du-lieu-cua-toi/", {}, (302, 404, 200), [], []),
        ("post", "/cong-chuc/du-lieu-cua-toi/", {}, (405, 405, 405), [], []),
        ("get", f"/cong-chuc/doc/{token}/", {}, (200, 200, 200), [], [R]),
        ("post", f"/cong-chuc/doc/{token}/", {}, (405, 405, 405), [], []),
        ("get", "/cong-chuc/doc/khong-hop-le/", {}, (404, 404, 404), [], []),
        ("get", f"/cong-chuc/doc/{token}/chia-se/", {}, (405, 405, 405), [], []),
        ("post", f"/cong-chuc/doc/{token}/chia-se/", {"via": "copy"}, (302, 302, 302), [], [S]),
        ("post", "/cong-chuc/doc/khong-hop-le/chia-se/", {"via": "copy"}, (404, 404, 404), [], []),
    ]


@pytest.fixture
def world():
    tree = make_tree()
    return {
        "tree": tree,
        "owner": make_staff(tree["CP-CP"], "Lê Văn Chủ"),
        "read": publish_bulletin("Bản tin toàn tỉnh"),
        "other": publish_bulletin("Bản tin Cẩm Phả", units=[tree["CP"]]),
        "far": publish_bulletin("Bản tin Hạ Long", units=[tree["HL"]]),
    }


def _visitor(world, visitor):
    """A client for the visitor, and their roster entry when they have one."""
    client = Client()
    if visitor is None:
        return client, None
    role, on_roster = visitor
    if on_roster:
        staff = make_staff(world["tree"]["CP-CT"], f"Người {role}", email=f"{role}@qn.gov.vn")
        accounts.assign_role(staff.user, role)
        client.force_login(staff.user)
        return client, staff
    client.force_login(make_user(role, f"khong-co-ten-{role}"))
    return client, None


def _kinds(staff) -> list[str]:
    return sorted(ReachEvent.objects.filter(staff=staff).values_list("kind", flat=True))


@pytest.mark.parametrize(
    "visitor",
    VISITORS,
    ids=lambda v: "no-account" if v is None else f"{v[0]}-{'staff' if v[1] else 'no-roster'}",
)
def test_every_portal_address_by_role(world, visitor):
    client, staff = _visitor(world, visitor)
    column = 0 if visitor is None else (2 if staff else 1)
    owner = world["owner"]
    for method, path, data, statuses, mine, owners in _addresses(world):
        before_mine = _kinds(staff) if staff else []
        before_owner = _kinds(owner)
        before_all = ReachEvent.objects.count()
        answer = getattr(client, method)(path, data)
        where = (visitor, method, path)
        assert answer.status_code == statuses[column], (*where, answer.status_code)
        written_owner = _diff(before_owner, _kinds(owner))
        assert written_owner == sorted(owners), where
        if staff is not None:
            assert _diff(before_mine, _kinds(staff)) == sorted(mine), where
        expected = len(owners) + (len(mine) if staff is not None else 0)
        assert ReachEvent.objects.count() - before_all == expected, where


def _diff(before: list[str], after: list[str]) -> list[str]:
    rest = list(after)
    for kind in before:
        rest.remove(kind)
    return sorted(rest)


def test_a_logged_in_person_is_never_sent_round_the_log_in_page(world):
    client, _ = _visitor(world, (roles.EDITOR, False))
    answer = client.get("/cong-chuc/", follow=True)
    assert answer.status_code == 404 and answer.redirect_chain == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/cong-chuc/"),
        ("get", "/cong-chuc/chua-doc/"),
        ("get", "/cong-chuc/du-lieu-cua-toi/"),
        ("get", "/cong-chuc/ung-dung/"),
        ("post", "/cong-chuc/ung-dung/"),
        ("get", "/cong-chuc/ban-tin/ban-tin-toan-tinh/"),
        ("post", "/cong-chuc/ban-tin/ban-tin-toan-tinh/da-doc/"),
        ("post", "/cong-chuc/ban-tin/ban-tin-toan-tinh/chia-se/"),
        ("get", "/cong-chuc/doc/khong-hop-le/"),
        ("post", "/cong-chuc/doc/khong-hop-le/chia-se/"),
    ],
)
def test_every_portal_address_is_rate_limited(world, method, path):
    client, _ = _visitor(world, (roles.STAFF, True))
    with override_settings(PUBLIC_RATE_LIMIT="2/m"):
        answers = [getattr(client, method)(path).status_code for _ in range(3)]
    assert 429 not in answers[:2] and answers[2] == 429, answers


@pytest.mark.parametrize(
    "path",
    [
        "/cong-chuc/ban-tin/ban-tin-toan-tinh/da-doc/",
        "/cong-chuc/ban-tin/ban-tin-toan-tinh/chia-se/",
        "/cong-chuc/ung-dung/",
    ],
)
def test_every_portal_form_needs_its_csrf_token(world, path):
    _, staff = _visitor(world, (roles.STAFF, True))
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.user)
    answer = client.post(path, {"via": "zalo", "on": timezone.localdate().isoformat()})
    assert answer.status_code == 403
    assert not ReachEvent.objects.filter(staff=staff).exists()


def test_a_body_too_large_for_a_portal_form_is_refused_unread(world):
    _, staff = _visitor(world, (roles.STAFF, True))
    client = Client()
    client.force_login(staff.user)
    answer = client.post(
        "/cong-chuc/ban-tin/ban-tin-toan-tinh/chia-se/", {"via": "zalo", "x": "a" * 20_000}
    )
    assert answer.status_code == 413
    assert not ReachEvent.objects.filter(staff=staff).exists()
