"""/registry.json: signed, cacheable, rebuilt after every change by the task queue."""

import hashlib
import json

from django.conf import settings
from django.test import override_settings

from chinhthong.registry import signing
from chinhthong.registry.models import Channel, RegistrySnapshot


def test_snapshot_is_signed_and_verifiable_with_the_published_key(client, default_registry):
    body = client.get("/registry.json")
    sig = client.get("/registry.json.sig")
    pub = client.get("/registry.pub")
    assert body.status_code == sig.status_code == pub.status_code == 200
    assert signing.verify(pub.content, body.content, sig.content)
    assert body["X-Signature-Key-Id"] == pub["X-Signature-Key-Id"]
    assert not signing.verify(
        pub.content, body.content.replace(b"who.int", b"wh0.int"), sig.content
    )


def test_snapshot_lists_active_and_pending_but_not_retired(
    client, default_registry, django_capture_on_commit_callbacks
):
    channel = Channel.objects.get(slug="web-who")
    channel.status = "retired"
    with django_capture_on_commit_callbacks(execute=True):
        channel.save()
    document = json.loads(client.get("/registry.json").content)
    statuses = {c["slug"]: c["status"] for c in document["channels"]}
    assert statuses["app-smart-quang-ninh"] == "pending_review"
    assert statuses["web-cong-ttdt-quang-ninh"] == "active"
    assert "web-who" not in statuses
    assert {a["code"] for a in document["agencies"]} >= {"so-tttt-quang-ninh", "cdc-quang-ninh"}


def test_conditional_get(client, default_registry):
    first = client.get("/registry.json")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/registry.json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/registry.json", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304


def test_a_change_produces_a_new_snapshot(
    client, default_registry, django_capture_on_commit_callbacks
):
    before = client.get("/registry.json")
    channel = Channel.objects.get(slug="web-tin-gia")
    channel.name = "Trung tâm Xử lý tin giả Việt Nam (VAFC)"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        channel.save()
    assert len(callbacks) == 1
    after = client.get("/registry.json")
    assert after["ETag"] != before["ETag"]
    assert "(VAFC)" in after.content.decode()


def test_an_import_rebuilds_once(default_registry):
    # The default registry was loaded by one import of 45 entries: one snapshot, not 45.
    assert RegistrySnapshot.objects.count() == 1


def test_unchanged_registry_keeps_its_snapshot(default_registry):
    from chinhthong.registry.snapshots import build_snapshot

    first = RegistrySnapshot.objects.latest()
    assert build_snapshot().pk == first.pk


def test_private_key_is_kept_outside_the_database(default_registry):
    pem = settings.REGISTRY_SIGNING_KEY_FILE.read_bytes()
    assert b"PRIVATE KEY" in pem
    assert settings.REGISTRY_SIGNING_KEY_FILE.stat().st_mode & 0o077 == 0
    for snapshot in RegistrySnapshot.objects.all():
        assert b"PRIVATE" not in bytes(snapshot.body)


def test_web_nodes_serve_the_snapshot_without_the_private_key(client, default_registry, tmp_path):
    with override_settings(REGISTRY_SIGNING_KEY_FILE=tmp_path / "absent.pem"):
        body, sig, pub = (
            client.get(p) for p in ("/registry.json", "/registry.json.sig", "/registry.pub")
        )
    assert body.status_code == sig.status_code == pub.status_code == 200
    assert signing.verify(pub.content, body.content, sig.content)


def test_no_snapshot_yet_is_a_404_not_an_error(client, db):
    assert client.get("/registry.json").status_code == 404
    assert client.get("/registry.pub").status_code == 404


def test_rotating_the_key_re_signs_the_same_content(client, default_registry, tmp_path):
    from chinhthong.registry.snapshots import build_snapshot

    old = RegistrySnapshot.objects.latest()
    new_key = tmp_path / "new.pem"
    signing.generate_key_file(new_key)
    with override_settings(REGISTRY_SIGNING_KEY_FILE=new_key):
        rotated = build_snapshot()
    assert rotated.pk != old.pk and rotated.key_id != old.key_id
    pub = client.get("/registry.pub")
    assert pub["X-Signature-Key-Id"] == rotated.key_id
    body, sig = client.get("/registry.json"), client.get("/registry.json.sig")
    assert signing.verify(pub.content, body.content, sig.content)
    assert not signing.verify(old.public_key.encode(), body.content, sig.content)


def test_the_signature_of_the_body_a_client_holds_survives_a_new_snapshot(
    client, default_registry, django_capture_on_commit_callbacks
):
    """A client downloads the body, a rebuild publishes another version, then the client asks
    for the signature: it gets the one of the body it holds (the body's SHA-256, its ETag,
    names the version), and the body's own answer carries its signature too."""
    body = client.get("/registry.json")
    channel = Channel.objects.get(slug="web-tin-gia")
    channel.name = "Trung tâm Xử lý tin giả Việt Nam (VAFC)"
    with django_capture_on_commit_callbacks(execute=True):
        channel.save()
    digest = hashlib.sha256(body.content).hexdigest()
    assert body["ETag"] == f'"{digest}"'
    latest = client.get("/registry.json.sig")
    pub = client.get(f"/registry.pub?sha256={digest}")
    assert not signing.verify(pub.content, body.content, latest.content)
    sig = client.get(f"/registry.json.sig?sha256={digest}")
    assert sig["ETag"] == body["ETag"]
    assert signing.verify(pub.content, body.content, sig.content)
    assert signing.verify(pub.content, body.content, body["X-Signature"])
    assert f"/registry.json.sig?sha256={digest}" in body["Link"]


def test_an_unknown_or_malformed_version_is_a_404(client, default_registry):
    for wanted in ("0" * 64, "abc", "Z" * 64, "'; drop table x; --"):
        assert client.get("/registry.json.sig", {"sha256": wanted}).status_code == 404
