"""Turning web push on and off for a browser, through the portal's JSON endpoints; the
installable portal's manifest and service worker; the VAPID key made at set-up."""

import json
import stat
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client, override_settings

from chinhthong.accounts import roles
from chinhthong.delivery import vapid
from chinhthong.delivery.models import PushSubscription
from tests.delivery.push_service import Browser
from tests.processes import CHINHTHONG, app_environment
from tests.reach.factories import make_staff, make_tree, make_user

SUBSCRIBE = "/cong-chuc/thong-bao/bat/"
UNSUBSCRIBE = "/cong-chuc/thong-bao/tat/"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc:APA91b"


@pytest.fixture
def vapid_key(tmp_path, settings):
    settings.VAPID_KEY_FILE = tmp_path / "vapid.pem"
    vapid.generate_key_file(settings.VAPID_KEY_FILE)


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def person(tree):
    return make_staff(tree["CP-CT"], "Nguyễn Văn An")


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _body(endpoint=ENDPOINT, browser=None) -> str:
    return json.dumps({"endpoint": endpoint, "keys": (browser or Browser()).keys()})


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_staff_member_turns_notifications_on_and_off(person):
    client = _client(person)
    answer = _post(client, SUBSCRIBE, _body())
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"subscribed": True}
    (kept,) = PushSubscription.objects.filter(staff=person)
    assert kept.endpoint == ENDPOINT
    assert _post(client, SUBSCRIBE, _body()).status_code == 200  # again: still one
    assert PushSubscription.objects.count() == 1
    answer = _post(client, UNSUBSCRIBE, json.dumps({"endpoint": ENDPOINT}))
    assert answer.json() == {"subscribed": False}
    assert not PushSubscription.objects.exists()


def test_a_browser_belongs_to_whoever_turned_notifications_on_last(tree, person):
    other = make_staff(tree["HL-BC"], "Trần Thị Bình")
    _post(_client(person), SUBSCRIBE, _body())
    _post(_client(other), SUBSCRIBE, _body())
    assert PushSubscription.objects.get().staff == other
    # Turning off someone else's browser does nothing.
    _post(_client(person), UNSUBSCRIBE, json.dumps({"endpoint": ENDPOINT}))
    assert PushSubscription.objects.get().staff == other


@pytest.mark.parametrize(
    "body",
    [
        "không phải JSON",
        "[]",
        json.dumps({"endpoint": ENDPOINT}),
        json.dumps({"endpoint": "javascript:alert(1)", "keys": Browser().keys()}),
        json.dumps({"endpoint": "https://user:pw@push.example/x", "keys": Browser().keys()}),
        json.dumps({"endpoint": "https://push.example/" + "a" * 1000, "keys": Browser().keys()}),
        json.dumps({"endpoint": ENDPOINT, "keys": {"p256dh": "AAAA", "auth": "AAAA"}}),
        json.dumps({"endpoint": ENDPOINT, "keys": {**Browser().keys(), "auth": "x" * 40}}),
        json.dumps({"endpoint": 5, "keys": {"p256dh": 1, "auth": None}}),
    ],
)
def test_what_is_not_a_push_subscription_is_refused_with_a_reason(person, body):
    answer = _post(_client(person), SUBSCRIBE, body)
    assert answer.status_code == 400
    assert answer.json()["error"]
    assert not PushSubscription.objects.exists()


@override_settings(PRODUCTION=True)
@pytest.mark.parametrize(
    "endpoint",
    ["http://fcm.googleapis.com/fcm/send/x", "https://127.0.0.1/push", "https://10.1.2.3/push"],
)
def test_in_production_only_https_push_services_on_public_addresses(person, endpoint):
    answer = _post(_client(person), SUBSCRIBE, _body(endpoint))
    assert answer.status_code == 400
    assert not PushSubscription.objects.exists()


def test_only_active_staff_signed_in_may_subscribe(tree, person):
    from chinhthong.reach import organisation

    assert _post(Client(), SUBSCRIBE, _body()).status_code == 404
    editor = make_user(roles.EDITOR, "bientap-push")
    client = Client()
    client.force_login(editor)
    assert _post(client, SUBSCRIBE, _body()).status_code == 404
    client = _client(person)
    organisation.deactivate_staff(person)
    person.user.is_active = True  # even with a session still open
    assert _post(client, SUBSCRIBE, _body()).status_code in (302, 404)
    assert not PushSubscription.objects.exists()


def test_the_csrf_token_is_required(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person.user)
    assert _post(client, SUBSCRIBE, _body()).status_code == 403
    assert not PushSubscription.objects.exists()


def test_bodies_are_capped_and_requests_rate_limited(person):
    client = _client(person)
    huge = json.dumps({"endpoint": ENDPOINT, "keys": Browser().keys(), "pad": "x" * 8000})
    assert _post(client, SUBSCRIBE, huge).status_code == 413
    with override_settings(PUBLIC_RATE_LIMIT="2/m"):
        answers = [_post(client, SUBSCRIBE, _body()).status_code for _ in range(3)]
    assert answers[-1] == 429


def test_a_person_keeps_at_most_ten_browsers(person):
    client = _client(person)
    for n in range(12):
        _post(client, SUBSCRIBE, _body(f"{ENDPOINT}-{n}"))
    endpoints = set(PushSubscription.objects.values_list("endpoint", flat=True))
    assert len(endpoints) == 10
    assert f"{ENDPOINT}-11" in endpoints and f"{ENDPOINT}-0" not in endpoints


def test_the_manifest_makes_the_portal_installable(db, client):
    answer = client.get("/cong-chuc/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = json.loads(answer.content)
    assert manifest["lang"] == "vi"
    assert manifest["name"].startswith(manifest["short_name"])
    assert manifest["start_url"] == manifest["scope"] == "/cong-chuc/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes


def test_the_service_worker_is_served_for_the_portals_scope(db, client):
    answer = client.get("/cong-chuc/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/cong-chuc/"
    assert "no-cache" in answer["Cache-Control"]
    assert b"notificationclick" in answer.content


def test_the_subscribe_snippet_offers_the_key_only_to_staff(person, vapid_key):
    from django.template import Context, Template
    from django.test import RequestFactory

    template = Template('{% include "delivery/_push_subscribe.html" %}')
    request = RequestFactory().get("/cong-chuc/")
    request.user = person.user
    shown = template.render(Context({"request": request}))
    assert f'data-key="{vapid.public_key()}"' in shown
    assert 'data-state="ios"' in shown
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert "data-key" not in template.render(Context({"request": request}))


def test_setup_makes_the_vapid_key_and_the_cli_seeds_zalo_tokens(tmp_path, transactional_db):
    var_dir = tmp_path / "var"
    with app_environment(var_dir) as env:
        run = lambda *args: subprocess.run(  # noqa: E731
            [*CHINHTHONG, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        done = run("setup", "--no-static")
        assert done.returncode == 0, done.stderr
        key_file = var_dir / "keys" / "vapid-p256.pem"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        assert isinstance(key.curve, ec.SECP256R1)
        made = key_file.read_bytes()
        kept = run("delivery", "vapid-keygen")
        assert kept.returncode == 0, kept.stderr
        assert key_file.read_bytes() == made  # a second run never replaces the key
        seeded = run("delivery", "zalo-token", "truy-cap-1", "lam-moi-1")
        assert seeded.returncode == 0, seeded.stderr
        assert "Zalo" in seeded.stdout
        assert run("delivery", "zalo-token", " ", "lam-moi-1").returncode == 2


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/cong-chuc/manifest.webmanifest"),
        ("get", "/cong-chuc/sw.js"),
        ("post", "/cong-chuc/zalo/ma-lien-ket/"),
    ],
)
def test_the_portals_app_addresses_are_rate_limited(person, method, url):
    client = _client(person)
    with override_settings(PUBLIC_RATE_LIMIT="2/m"):
        answers = [getattr(client, method)(url).status_code for _ in range(3)]
    assert answers[-1] == 429
