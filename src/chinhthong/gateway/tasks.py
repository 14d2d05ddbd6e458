"""The gateway's scheduled work: the tipline's Maildir (CHINHTHONG_TIPLINE_MAILDIR) answered
every minute, the replies sent in the same run (gateway/tipline.py)."""

import logging

from django.conf import settings
from django_tasks import task

from chinhthong.config import maildir

log = logging.getLogger(__name__)


@task()
def answer_tipline() -> dict:
    """Answer the messages forwarded to the tipline; nothing when no Maildir is set."""
    directory = settings.TIPLINE_MAILDIR
    if not directory:
        return {}
    from chinhthong.gateway import tipline

    return maildir.scheduled_run(
        directory, "CHINHTHONG_TIPLINE_MAILDIR", "tipline", tipline.answer_maildir, log
    )
