"""Keeping the database queue's own table small: the blocklist check alone runs every minute,
1,440 finished results a day, which the back office's task pages would list for ever."""

import datetime as dt

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

# Finished results are kept this long for whoever looks into a failure, then pruned.
TASK_RESULT_DAYS = 7


@task()
def prune_task_results() -> int:
    """How many finished results older than TASK_RESULT_DAYS were deleted (the same rule as
    django-tasks-db's prune_db_task_results command; waiting and running work stays)."""
    cutoff = timezone.now() - dt.timedelta(days=TASK_RESULT_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
