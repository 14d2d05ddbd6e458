"""The scheduler's reminders of unread urgent bulletins and the managers' weekly summaries
(config/schedule.py): each decides itself whether anything is due, so running it often costs
a few queries."""

from django_tasks import task

from chinhthong.reach import reminders, summaries


@task()
def send_due_reminders() -> dict[str, int]:
    """Reminder rows for every urgent bulletin whose round is due; the delivery queue sends
    them. Reminders made per bulletin key."""
    return {found.key: found.total for found in reminders.remind_due()}


@task()
def send_weekly_summaries() -> dict[str, int]:
    return summaries.send_due()
