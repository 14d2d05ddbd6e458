"""Finished task results are pruned after a week, so the queue's table and its back-office
page stay small; recent results, and work not yet done, stay."""

import datetime as dt

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chinhthong.config import housekeeping, schedule


def _result(status: str, age_days: int) -> DBTaskResult:
    finished = timezone.now() - dt.timedelta(days=age_days)
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="chinhthong.checks.tasks.fetch_due_blocklists",
        backend_name="default",
        queue_name="default",
        run_after=finished,
        finished_at=finished if status != "READY" else None,
        exception_class_path="",
        traceback="",
    )
    return row


def test_old_finished_results_are_pruned_and_the_rest_kept(db):
    old, recent, waiting = (
        _result("SUCCESSFUL", 30),
        _result("SUCCESSFUL", 1),
        _result("READY", 30),
    )
    housekeeping.prune_task_results.call()
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert old.id not in left
    assert {recent.id, waiting.id} <= left


def test_the_scheduler_runs_it_daily():
    assert (86400, "chinhthong.config.housekeeping.prune_task_results") in schedule.PERIODIC
