"""Telling a body a case was referred to it: when ``referrals.refer`` commits, each active
liaison of that body (a user linked to it by reports.models.Liaison, who has the liaison role
and an email address) gets one message, through the task queue, in the site's language: the
case's number and title, the province body that referred it, and the link to the case's page
(settings.PUBLIC_URL + /chuyen-xu-ly/<number>/), where they log in to read it. Nothing else of
the case: no claim text beyond its title, nothing about the reporters.

A send that fails makes the task fail (the task backend's retries, if any, apply); a message
the server refused for good (5xx) is logged and not tried again.
"""

import logging
import smtplib
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from chinhthong.portal import services as portal
from chinhthong.reports import access
from chinhthong.reports.models import Liaison, Referral

log = logging.getLogger(__name__)


def liaisons(referral: Referral) -> list:
    """The users who speak for the referral's body and can be written to."""
    found = (
        Liaison.objects.filter(recipient_id=referral.recipient_id, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "recipient")
        .order_by("user__pk")
    )
    return [
        link.user
        for link in found
        if (body := access.liaison_body(link.user)) is not None and body.pk == referral.recipient_id
    ]


def tell_liaisons(referral: Referral) -> None:
    """Queue, on commit, the message to the referral's body (refer() calls it)."""
    transaction.on_commit(partial(send_referral_notice.enqueue, referral.pk))


def case_url(referral: Referral) -> str:
    return settings.PUBLIC_URL + reverse(
        "reports:referral-case", kwargs={"number": referral.case.number}
    )


def compose(referral: Referral, user) -> EmailMessage:
    """The message to ``user``, a liaison of the referral's body, in the site's language."""
    site = portal.identity()
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "number": referral.case.number,
            "title": referral.case.title,
            "body": referral.recipient.name,
            "sender": site.name or site.display_site_name,
            "referred_at": referral.referred_at,
            "url": case_url(referral),
            "name": user.get_full_name() or user.get_username(),
        }
        subject = render_to_string("reports/referral/notice_subject.txt", context)
        text = render_to_string("reports/referral/notice_email.txt", context)
    return EmailMessage(
        " ".join(subject.split()),
        text,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


def _refused_for_good(exc: Exception) -> bool:
    if not isinstance(exc, smtplib.SMTPRecipientsRefused):
        return False
    return all(code >= 500 for code, _reply in exc.recipients.values())


@task()
def send_referral_notice(referral_pk: int) -> int:
    """Write to each liaison of the referral's body; returns how many messages left."""
    referral = Referral.objects.select_related("case", "recipient").filter(pk=referral_pk).first()
    if referral is None or not referral.recipient.active:
        return 0
    sent = 0
    for user in liaisons(referral):
        try:
            compose(referral, user).send()
        except Exception as exc:
            if _refused_for_good(exc):
                log.warning("referral notice to user %s refused: %s", user.pk, exc)
                continue
            raise
        sent += 1
    return sent
