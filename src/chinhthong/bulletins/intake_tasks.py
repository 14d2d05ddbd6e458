"""The scheduler's feed polling (config/schedule.py) and the back office's "poll now"."""

from django_tasks import task

from chinhthong.bulletins import intake


@task()
def poll_due_feeds() -> dict[str, str]:
    """Poll every feed source that is due; one failing source does not stop the others."""
    return {result.source.url: str(result) for result in intake.poll_due()}
