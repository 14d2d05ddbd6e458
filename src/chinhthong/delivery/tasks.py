"""Delivery's background tasks (django-tasks: the database queue by default, RQ with Redis).

A killed worker's task is not run again by either queue, so nothing depends on one task
finishing: rows carry their own state, and `send_due_everywhere`, which the scheduler queues
every few seconds, sends whatever is due — rows whose lease ran out included.
"""

import logging

from django.conf import settings
from django_tasks import task

from chinhthong.bulletins.models import Bulletin
from chinhthong.delivery import queue, services

log = logging.getLogger(__name__)

# A sending task yields its worker after this long, queueing its continuation.
TASK_SECONDS = 300


@task()
def deliver_bulletin(bulletin_id: int, version: int | None = None) -> dict[str, int]:
    """Queued when a bulletin is published, and with ``version`` when it is significantly
    corrected (bulletins/services.py)."""
    bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
    if bulletin is None:
        return {}
    return {str(k): v for k, v in services.fan_out(bulletin, version=version).items()}


@task()
def send_due(channel: str) -> dict[str, int]:
    counts = queue.send_due(channel, max_seconds=TASK_SECONDS)
    if counts.pop("more", 0):
        send_due.enqueue(channel)
    return counts


@task()
def send_due_everywhere() -> dict[str, dict[str, int]]:
    """The scheduler's sweep: due rows of every channel, retries and abandoned rows."""
    done = {
        channel: queue.send_due(channel, max_seconds=TASK_SECONDS)
        for channel in queue.channels_with_due_rows()
    }
    for channel in queue.Channel.values:
        if channel not in done:
            queue.resolve_abandoned(channel)
    return done


@task()
def prepare_daily_digest() -> int:
    return services.prepare_digest_if_due()


@task()
def read_bounces() -> dict[str, int]:
    if not settings.BOUNCE_MAILDIR:
        return {}
    from chinhthong.config.refusals import Refused
    from chinhthong.delivery import bounces

    try:
        return bounces.read_maildir(settings.BOUNCE_MAILDIR).as_dict()
    except Refused as exc:  # said in the log every round until the setting is fixed
        log.warning("CHINHTHONG_BOUNCE_MAILDIR: %s", exc)
        return {}
