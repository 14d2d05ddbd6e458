"""Periodic work: the scheduler enqueues these tasks; workers run them. Run one scheduler per
installation (`chinhthong serve` starts it beside its worker; see docs/operations.md)."""

import logging
import time

from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# (every N seconds, task path). A task decides itself whether anything is due, so running it
# more often than needed costs one query.
PERIODIC = [
    (60, "chinhthong.checks.tasks.fetch_due_blocklists"),
    (3600, "chinhthong.checks.tasks.expire_blocklists"),
]


def run_forever(tick: float = 5.0, stop=lambda: False) -> None:
    last: dict[str, float] = {}
    while not stop():
        now = time.monotonic()
        for every, path in PERIODIC:
            if now - last.get(path, -every) >= every:
                last[path] = now
                try:
                    import_string(path).enqueue()
                except Exception:  # a queue outage must not end the scheduler; it retries
                    log.exception("could not enqueue %s", path)
        time.sleep(tick)
