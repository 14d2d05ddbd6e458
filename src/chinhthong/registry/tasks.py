from django_tasks import task

from chinhthong.registry import snapshots


@task()
def rebuild_snapshot() -> int | None:
    """Build and sign a new /registry.json after the registry changed; returns its id."""
    snapshot = snapshots.build_snapshot()
    return snapshot.pk if snapshot else None
