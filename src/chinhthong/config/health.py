"""Health of what a node depends on: the database and the task queue."""

import datetime as dt
import functools

from django.conf import settings
from django.db import connection
from django.utils import timezone

STUCK_AFTER = dt.timedelta(minutes=5)


def database_health() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message says which
        return {"status": "error", "detail": str(exc)[:200]}
    return {"status": "ok", "vendor": connection.vendor}


def task_queue_health() -> dict:
    backend = settings.TASK_BACKEND
    try:
        if backend == "db":
            return {"backend": backend, **_db_queue()}
        if backend == "rq":
            return {"backend": backend, **_rq_queue()}
    except Exception as exc:  # unreachable queue: report, never crash the probe
        return {"backend": backend, "status": "error", "detail": str(exc)[:200]}
    return {"backend": backend, "status": "ok"}


def _db_queue() -> dict:
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    waited = (timezone.now() - oldest) if oldest else dt.timedelta(0)
    # Ready work waiting longer than STUCK_AFTER means no worker is consuming the queue.
    status = "degraded" if waited > STUCK_AFTER else "ok"
    return {
        "status": status,
        "pending": ready.count(),
        "oldest_pending_seconds": int(waited.total_seconds()),
    }


def _rq_queue() -> dict:
    queue = _default_rq_queue()
    queue.connection.ping()
    return {"status": "ok", "pending": queue.count}


@functools.cache
def _default_rq_queue():
    """Made once per process: django-rq makes a new Redis connection on every call, which a
    probe every few seconds paid for each time (bench/attack.py)."""
    import django_rq

    return django_rq.get_queue("default")


def cache_health() -> dict:
    """The shared cache holds rate-limit counters; it must answer a write and a read."""
    from django.core.cache import cache

    key = "chinhthong:healthz"
    try:
        cache.set(key, "ok", 10)
        ok = cache.get(key) == "ok"
    except Exception as exc:  # an unreachable Redis raises its own errors
        return {"status": "error", "detail": str(exc)[:200]}
    return {"status": "ok" if ok else "error"}


def overall() -> tuple[bool, dict]:
    report = {"database": database_health(), "cache": cache_health(), "tasks": task_queue_health()}
    healthy = all(part["status"] != "error" for part in report.values())
    report["status"] = "ok" if healthy else "error"
    return healthy, report
