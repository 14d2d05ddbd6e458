"""Reports by mail, on a schedule: the Maildir named by CHINHTHONG_REPORT_MAILDIR is read by
the scheduler's task (reports/mail_intake.py does the reading). Each message is taken once
whichever run, or how many runs at once, reads it: its source key is unique."""

import logging

from django.conf import settings
from django_tasks import task

from chinhthong.config import maildir

log = logging.getLogger(__name__)


@task()
def ingest_mail() -> dict:
    """Take the reports that arrived by mail; nothing when no Maildir is set."""
    directory = getattr(settings, "REPORT_MAILDIR", "")
    if not directory:
        return {}
    from chinhthong.reports import mail_intake

    return maildir.scheduled_run(
        directory, "CHINHTHONG_REPORT_MAILDIR", "mail intake", mail_intake.ingest_maildir, log
    )
