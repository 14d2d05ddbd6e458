"""Telling reporters the outcome: each report whose reporter left an email and agreed to be
contacted gets one message, through the task queue, once its case has a final outcome: its
rebuttal published, the case closed with a verdict, or found not actionable (rejected). A
decision alone is not final — a handler may take it back to investigation — so it tells no one.
The message holds the report's own tracking code, the outcome, and the rebuttal's address when
it is published (the tracking page's otherwise): nothing about the case's other reports.

Once only. The task claims the report before sending, by a conditional update of
``Report.outcome_sent_at`` from null (committed at once: the task runs outside any transaction),
so two workers, a task enqueued twice (publication and decision both call ``tell_reporters``)
or the periodic sweep never send the same message twice: whoever does not win the update sends
nothing. A send that fails releases the claim (the message did not leave: the server refused
it or could not be reached) and the task fails, so the next ``tell_reporters`` or sweep tries
again; a recipient the server refuses for good (5xx) stays marked, and is logged. A worker that
dies between the claim and the send loses that one message rather than risk sending it twice
(at most once: a reporter told twice about a case passed to the police is worse than a reporter
who looks the outcome up by their code).
"""

import logging
import smtplib
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from chinhthong.portal import services as portal
from chinhthong.reports import rebuttals
from chinhthong.reports.models import Case, Report, State, Verdict

log = logging.getLogger(__name__)
SWEEP_BATCH = 500


def has_outcome(case: Case) -> bool:
    if case.state == State.REJECTED or (case.state == State.CLOSED and case.verdict):
        return True
    return rebuttals.published().filter(pk=case.pk).exists()


def _final() -> Q:
    """Reports whose case has a final outcome (has_outcome, as a query)."""
    published = Q(case__in=rebuttals.published())
    closed = Q(case__state=State.CLOSED) & ~Q(case__verdict="")
    return published | closed | Q(case__state=State.REJECTED)


def _waiting(queryset):
    """Reports that asked to be told and have not been."""
    return queryset.filter(outcome_sent_at__isnull=True, consent=True).exclude(contact_email="")


def tell_reporters(case: Case) -> int:
    """Queue, on commit, the outcome message of each report on ``case`` not told yet; none when
    the case has no final outcome. Returns how many were queued. Called when a case is closed or
    rejected (handling.move) and when its rebuttal is published (publish_rebuttal)."""
    case = Case.objects.get(pk=case.pk)
    if not has_outcome(case):
        return 0
    pks = list(_waiting(Report.objects.filter(case=case)).values_list("pk", flat=True))
    for pk in pks:
        transaction.on_commit(partial(send_outcome.enqueue, pk))
    return len(pks)


@task()
def tell_pending_reporters() -> int:
    """The periodic sweep: reports on cases with an outcome not told yet (a send that failed,
    a report that joined a decided case) are queued again."""
    outcome = Report.objects.filter(_final())
    pks = list(_waiting(outcome).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    for pk in pks:
        send_outcome.enqueue(pk)
    return len(pks)


def tracking_url(report: Report) -> str:
    """The report's public tracking page (/bao-tin-gia/tra-cuu/<code>/)."""
    return settings.PUBLIC_URL + reverse("reports:status", kwargs={"code": report.tracking_code})


def outcome_label(case: Case) -> str:
    if case.state == State.REJECTED:
        return str(State.REJECTED.label)
    return str(Verdict(case.verdict).label)


def compose(report: Report) -> EmailMessage:
    """The message to the reporter of ``report``, in the site's language."""
    case = report.case
    published = rebuttals.published().filter(pk=case.pk).first()
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "code": report.tracking_code,
            "outcome": outcome_label(case),
            "rejected": case.state == State.REJECTED,
            "rebuttal_title": published.rebuttal_title if published else "",
            "rebuttal_url": rebuttals.page_url(published) if published else "",
            "tracking_url": tracking_url(report),
            "site": portal.identity().display_site_name,
        }
        subject = render_to_string("reports/rebuttal/outcome_subject.txt", context)
        body = render_to_string("reports/rebuttal/outcome_email.txt", context)
    return EmailMessage(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [report.contact_email],
        headers={"Auto-Submitted": "auto-generated"},
    )


def _claim(pk: int):
    """The report, marked as told, if this call is the one that marks it; None otherwise."""
    now = timezone.now()
    claimed = _waiting(Report.objects.filter(pk=pk)).update(outcome_sent_at=now)
    if not claimed:
        return None
    return Report.objects.select_related("case").get(pk=pk)


def _release(report: Report) -> None:
    Report.objects.filter(pk=report.pk, outcome_sent_at=report.outcome_sent_at).update(
        outcome_sent_at=None
    )


def _refused_for_good(exc: Exception) -> bool:
    if not isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    return all(code >= 500 for code, _reply in exc.recipients.values())


@task()
def send_outcome(report_pk: int) -> bool:
    """Send one report's outcome message, once (see the module's docstring)."""
    report = _claim(report_pk)
    if report is None:
        return False
    if not has_outcome(report.case):  # reopened since it was queued: told when it is decided
        _release(report)
        return False
    message = compose(report)
    try:
        message.send()
    except Exception as exc:
        if _refused_for_good(exc):
            log.warning("outcome of report %s refused by the mail server: %s", report.pk, exc)
            return False
        _release(report)
        raise
    return True
