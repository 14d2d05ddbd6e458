"""The bulletins' periodic work: publishing scheduled bulletins when their time comes."""

from django_tasks import task

from chinhthong.bulletins import services


@task()
def publish_due_bulletins() -> list[str]:
    """Publish every scheduled bulletin whose time has come; returns their addresses (slugs).
    Run every minute by the scheduler (config/schedule.py): a bulletin goes out within a
    minute of its time."""
    return [bulletin.slug for bulletin in services.publish_due()]
