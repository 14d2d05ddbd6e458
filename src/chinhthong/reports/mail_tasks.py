"""Reports by mail, on a schedule: the Maildir named by CHINHTHONG_REPORT_MAILDIR is read by
the scheduler's task (reports/mail_intake.py does the reading). Each message is taken once
whichever run, or how many runs at once, reads it: its source key is unique."""

import logging

from django.conf import settings
from django_tasks import task

from chinhthong.config.refusals import Refused

log = logging.getLogger(__name__)


@task()
def ingest_mail() -> dict:
    """Take the reports that arrived by mail; nothing when no Maildir is set."""
    directory = getattr(settings, "REPORT_MAILDIR", "")
    if not directory:
        return {}
    from chinhthong.reports import mail_intake

    try:
        counts = mail_intake.ingest_maildir(directory)
    except Refused as exc:  # said in the log every round until the setting is fixed
        log.warning("CHINHTHONG_REPORT_MAILDIR: %s", exc)
        return {}
    for note in counts.notes:
        log.info("mail intake: %s", note)
    if counts.refused:
        log.warning(
            "mail intake: %s messages set aside in %s",
            counts.refused,
            mail_intake.refused_folder(directory),
        )
    return {"taken": counts.taken, "repeated": counts.repeated, "refused": counts.refused}
