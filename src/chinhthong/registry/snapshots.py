"""The published snapshot (/registry.json): built from the registry, signed, stored as a
row so every web node serves the same bytes, and rebuilt by a background task after changes."""

import contextvars
import hashlib
import json
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chinhthong.registry import signing, succession
from chinhthong.registry.models import RegistrySnapshot

KEEP = 20  # older snapshots are pruned; consumers only ever need the latest

_batch_depth = contextvars.ContextVar("snapshot_batch_depth", default=0)
_batch_dirty = contextvars.ContextVar("snapshot_batch_dirty", default=False)


def build_snapshot() -> RegistrySnapshot | None:
    """Store a new signed snapshot if the published content changed; return the latest."""
    from chinhthong.registry.exporting import registry_document

    # Channels and recipients name the agency in charge today (see succession.py); run
    # periodically (config/schedule.py) so that a succession takes effect on its date.
    document = succession.publish_current_owners(
        registry_document(published_only=True), succession.today()
    )
    content_hash = _content_hash(document)
    key = signing.load_private_key(settings.REGISTRY_SIGNING_KEY_FILE)
    latest = RegistrySnapshot.objects.order_by("-id").first()
    # Same content signed by the same key: nothing to publish. A new key (rotation) re-signs.
    if (
        latest
        and latest.key_id == signing.key_id(key)
        and json.loads(bytes(latest.body)).get("content_sha256") == content_hash
    ):
        return latest
    document["content_sha256"] = content_hash
    document["generated_at"] = timezone.now().isoformat(timespec="seconds")
    document["signing_key_id"] = signing.key_id(key)
    body = (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    snapshot = RegistrySnapshot.objects.create(
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        signature=signing.sign(key, body),
        key_id=signing.key_id(key),
        public_key=signing.public_pem(key).decode("ascii"),
    )
    stale = RegistrySnapshot.objects.order_by("-id").values_list("id", flat=True)[KEEP:]
    RegistrySnapshot.objects.filter(id__in=list(stale)).delete()
    return snapshot


def _content_hash(document: dict) -> str:
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def latest_snapshot() -> RegistrySnapshot | None:
    return RegistrySnapshot.objects.order_by("-id").first()


def snapshot_with_sha256(sha256: str) -> RegistrySnapshot | None:
    """One of the last KEEP snapshots by the SHA-256 of its body (its ETag); None when it is
    unknown or was pruned."""
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        return None
    return RegistrySnapshot.objects.filter(sha256=sha256).order_by("-id").first()


def schedule_rebuild() -> None:
    """Ask the worker for a new snapshot once the current transaction commits.

    Inside ``snapshot_batch()`` (bulk imports) the request is held and made once at the end.
    """
    if _batch_depth.get():
        _batch_dirty.set(True)
        return
    transaction.on_commit(_enqueue)


def _enqueue() -> None:
    from chinhthong.registry.tasks import rebuild_snapshot

    rebuild_snapshot.enqueue()


@contextmanager
def snapshot_batch():
    outermost = _batch_depth.get() == 0
    depth_token = _batch_depth.set(_batch_depth.get() + 1)
    dirty_token = _batch_dirty.set(False) if outermost else None
    try:
        yield
    finally:
        dirty = _batch_dirty.get()
        _batch_depth.reset(depth_token)
        if dirty_token is not None:
            _batch_dirty.reset(dirty_token)
            if dirty:
                transaction.on_commit(_enqueue)
