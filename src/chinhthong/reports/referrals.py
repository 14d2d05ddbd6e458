"""Referral of a decided case to a body that acts on it (letter 1341: the inspectorate, the
police cyber-security division, local security), and that body's answers.

A referral is made by a report handler, once per body, for a case that is decided (or already
referred to another body). The package sent — a PDF summary in Vietnamese and a ZIP of the
evidence with a manifest of hashes (reports/package.py) — is built in the same transaction; its
hashes go into the custody log, so what the body received can be proved later, and the package
can be built again, byte for byte, at any time (package.as_sent). Once the referral commits, the
body's liaisons are told by email (reports/referral_messages.py). The body's
liaison then says where the case stands with it (received, being handled, handled, declined),
each answer recorded in the custody log too.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from chinhthong.config.refusals import NotFound, Refused
from chinhthong.registry.models import ReportRecipient
from chinhthong.reports import access, custody, evidence, package, referral_messages
from chinhthong.reports.models import Case, Referral, ReferralStatus, State

MAX_NOTE_CHARS = 5000
# The states a case may be referred from: decided, or already referred to another body.
REFERRABLE = {State.DECIDED, State.REFERRED}
# What a liaison may answer; "sent" is the referral's own first status.
ANSWERS = [
    ReferralStatus.RECEIVED,
    ReferralStatus.HANDLING,
    ReferralStatus.DONE,
    ReferralStatus.DECLINED,
]


def _clean_note(note: str) -> str:
    text = (note or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise Refused(
            _("The note is longer than %(n)s characters.") % {"n": MAX_NOTE_CHARS},
            code="note_too_long",
        )
    return text


def _note_digest(note: str) -> str:
    # The custody log is kept for ever; a note may name people, so it holds the note's hash.
    return evidence.sha256(note.encode()) if note else ""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def refer(case: Case, recipient: ReportRecipient, *, actor, note: str = "") -> Referral:
    """Refer ``case`` to ``recipient`` with its package; Refused when the case is not decided,
    the body is not active or the case was already referred to it. ``actor``: a report handler
    (None for the system, e.g. the CLI)."""
    user = _user(actor)
    if actor is not None and not isinstance(actor, str) and not access.is_handler(user):
        raise NotFound(_("No such case."), code="no_case")
    case = Case.objects.select_for_update().get(pk=case.pk)
    recipient = ReportRecipient.objects.filter(pk=recipient.pk).first()
    if recipient is None or not recipient.active:
        raise Refused(
            _("This body no longer takes referrals; choose another."), code="recipient_inactive"
        )
    if case.state not in REFERRABLE:
        raise Refused(
            _("Only a decided case can be referred (this one is “%(state)s”).")
            % {"state": State(case.state).label},
            code="not_decided",
        )
    if Referral.objects.filter(case=case, recipient=recipient).exists():
        raise Refused(
            _("This case was already referred to %(body)s.") % {"body": recipient.name},
            code="already_referred",
        )
    note = _clean_note(note)
    referral = Referral.objects.create(case=case, recipient=recipient, note=note, referred_by=user)
    previous_state = case.state
    if case.state != State.REFERRED:
        case.state = State.REFERRED
        case.save(update_fields=["state", "updated_at"])
    built = package.build(case, recipient)
    referral.package_sha256 = built.zip_sha256
    referral.save(update_fields=["package_sha256", "updated_at"])
    custody.append(
        case,
        "referred",
        {
            "referral": referral.pk,
            "recipient": recipient.code,
            "recipient_name": recipient.name,
            "state": {"from": previous_state, "to": case.state},
            "note_sha256": _note_digest(note),
            "pdf_sha256": built.pdf_sha256,
            "pdf_size": len(built.pdf),
            "zip_sha256": built.zip_sha256,
            "zip_size": len(built.zip),
            "evidence": built.evidence_count,
            "contacts_included": built.contacts_included,
        },
        actor=actor,
    )
    referral_messages.tell_liaisons(referral)  # once committed
    return referral


def referral_for(user, number: str) -> Referral:
    """The referral of case ``number`` to the body ``user`` speaks for; NotFound otherwise."""
    body = access.liaison_body(user)
    case = access.case_for(user, number)
    found = (
        Referral.objects.filter(case=case, recipient=body).select_related("case", "recipient")
        if body is not None
        else Referral.objects.none()
    ).first()
    if found is None:
        raise NotFound(_("No such case."), code="no_case")
    return found


@transaction.atomic
def update_referral(referral: Referral, *, actor, status: str, note: str = "") -> Referral:
    """The liaison of the referral's body says where the case stands with it. Declining needs
    a reason; an answer that changes nothing is refused."""
    body = access.liaison_body(_user(actor))
    if body is None or body.pk != referral.recipient_id:
        raise NotFound(_("No such case."), code="no_case")
    if status not in ANSWERS:
        raise Refused(_("Choose one of the statuses offered."), code="referral_status")
    note = _clean_note(note)
    referral = (
        Referral.objects.select_for_update().select_related("case", "recipient").get(pk=referral.pk)
    )
    if status == ReferralStatus.DECLINED and not note:
        raise Refused(_("Say why the case is declined."), code="decline_reason")
    if status == referral.status and note == referral.status_note:
        raise Refused(_("Nothing changed."), code="unchanged")
    previous = referral.status
    referral.status = status
    referral.status_note = note
    referral.save(update_fields=["status", "status_note", "updated_at"])
    custody.append(
        referral.case,
        "referral_updated",
        {
            "referral": referral.pk,
            "recipient": referral.recipient.code,
            "status": {"from": previous, "to": status},
            "note_sha256": _note_digest(note),
        },
        actor=actor,
    )
    return referral
