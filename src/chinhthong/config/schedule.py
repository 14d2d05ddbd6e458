"""Periodic work: the scheduler enqueues these tasks; workers run them. Run one scheduler per
installation (`chinhthong serve` starts it beside its worker; see docs/operations.md)."""

import logging
import signal
import threading
import time

from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# (every N seconds, task path). A task decides itself whether anything is due, so running it
# more often than needed costs one query.
PERIODIC = [
    (60, "chinhthong.checks.tasks.fetch_due_blocklists"),
    (3600, "chinhthong.checks.tasks.expire_blocklists"),
    (60, "chinhthong.bulletins.intake_tasks.poll_due_feeds"),
    # Scheduled bulletins are published within a minute of their time (bulletins/services.py).
    (60, "chinhthong.bulletins.tasks.publish_due_bulletins"),
    # A succession recorded ahead of its date is published on that date (registry/succession.py).
    (3600, "chinhthong.registry.tasks.rebuild_snapshot"),
    (86400, "chinhthong.config.housekeeping.prune_task_results"),
    # Deliveries: what is due (retries, rows a dead worker left after its lease), the day's
    # email digest once its time has passed, bounces when a Maildir is set (delivery/tasks.py).
    (10, "chinhthong.delivery.tasks.send_due_everywhere"),
    (60, "chinhthong.delivery.tasks.prepare_daily_digest"),
    (300, "chinhthong.delivery.tasks.read_bounces"),
    # Staff activity kept no longer than CHINHTHONG_REACH_RETENTION_DAYS (docs/privacy.md).
    (86400, "chinhthong.reach.tasks.prune_reach_records"),
    # Reporters' names and contacts, a retention period after their case closed
    # (reports/retention.py).
    (86400, "chinhthong.reports.retention.erase_contacts"),
    # Reports forwarded to CHINHTHONG_REPORT_MAILDIR, each message once (reports/mail_tasks.py).
    (60, "chinhthong.reports.mail_tasks.ingest_mail"),
    # Messages forwarded to the tipline's Maildir, answered within a minute (gateway/tasks.py).
    (60, "chinhthong.gateway.tasks.answer_tipline"),
    # Reporters not yet told their case's outcome (a failed send, a report that joined a
    # decided case) (reports/outcome_messages.py).
    (600, "chinhthong.reports.outcome_messages.tell_pending_reporters"),
    # The dashboards' tallies of past days and of bulletins past their first 24 hours
    # (reach/tallies.py); the day in progress is always counted from the events.
    (3600, "chinhthong.reach.tallies.make_due_tallies"),
    # Reminders of urgent bulletins not read after CHINHTHONG_REMINDER_AFTER_HOURS, and each
    # unit manager's weekly summary once its day and time have come (reach/reminder_tasks.py).
    (300, "chinhthong.reach.reminder_tasks.send_due_reminders"),
    (300, "chinhthong.reach.reminder_tasks.send_weekly_summaries"),
]


def run_forever(tick: float = 5.0, stop: threading.Event | None = None) -> None:
    """Enqueue each periodic task when it is due, until ``stop`` is set."""
    stop = stop or threading.Event()
    last: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        for every, path in PERIODIC:
            if now - last.get(path, -every) >= every:
                last[path] = now
                try:
                    import_string(path).enqueue()
                except Exception:  # a queue outage must not end the scheduler; it retries
                    log.exception("could not enqueue %s", path)
        stop.wait(tick)


def run_until_signalled(tick: float = 5.0) -> None:
    """``run_forever`` until SIGINT or SIGTERM, which stop it at once (between two enqueues).
    Handlers are installed whatever the process inherited (a background job starts with SIGINT
    ignored). The loop runs in a thread: the handlers run in the main thread, which then never
    holds the lock of the Event they set."""
    stop = threading.Event()
    failures: list[BaseException] = []

    def loop() -> None:
        from django.db import connections

        try:
            run_forever(tick, stop)
        except BaseException as exc:  # handed to the main thread, which raises it
            failures.append(exc)
        finally:
            connections.close_all()

    previous = {
        signum: signal.signal(signum, lambda *_args: stop.set())
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    worker = threading.Thread(target=loop, name="scheduler")
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.5)
    finally:
        stop.set()
        worker.join()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if failures:
        raise failures[0]
