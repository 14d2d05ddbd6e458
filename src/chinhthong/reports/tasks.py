"""The reports' background work: capturing reported pages after a report is stored."""

from django.conf import settings
from django_tasks import task

from chinhthong.reports.models import ReportLink

CAPTURED_LINKS = 5  # per report


def after_intake(report_pk: int) -> None:
    """Queue what follows a stored report (called on commit): a capture of each link, unless
    settings.REPORT_CAPTURE_LINKS is off."""
    if not settings.REPORT_CAPTURE_LINKS:
        return
    links = ReportLink.objects.filter(report_id=report_pk).order_by("pk")
    # A report's first links are what it is about; more would only hold the worker.
    for link_pk in links.values_list("pk", flat=True)[:CAPTURED_LINKS]:
        capture_link.enqueue(link_pk)


@task()
def capture_link(link_pk: int) -> str:
    """Fetch a reported link once and keep what came back as evidence (reports/capture.py)."""
    from chinhthong.reports import capture

    return capture.capture(link_pk)
