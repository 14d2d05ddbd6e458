"""Handling a case: triage, assignment, investigation, a decision with a verdict, rejection,
closing, comments — each a service that records who did it in the case's history and its
custody log, and refuses a step the case's state does not allow."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.config.refusals import Refused
from chinhthong.reports import access, custody, outcome_messages
from chinhthong.reports.intake import due_for
from chinhthong.reports.models import (
    AWAITING_DECISION,
    Case,
    Comment,
    Priority,
    ReferralStatus,
    State,
    Verdict,
)

# state -> the states a handler may move it to (referral has its own service).
NEXT = {
    State.NEW: {State.TRIAGE, State.INVESTIGATING, State.REJECTED},
    State.TRIAGE: {State.INVESTIGATING, State.REJECTED},
    State.INVESTIGATING: {State.TRIAGE, State.REJECTED},
    State.DECIDED: {State.INVESTIGATING, State.CLOSED},
    State.REFERRED: {State.CLOSED},
    State.CLOSED: {State.INVESTIGATING},
    State.REJECTED: {State.TRIAGE},
}
OPEN = AWAITING_DECISION
OPEN_REFERRALS = (ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.HANDLING)
HANDLING_MINUTES = 15


def _save(case: Case, reason: str, *, actor, fields: list[str]) -> None:
    case._history_user = actor
    case._change_reason = reason[:100]
    case.save(update_fields=[*fields, "updated_at"])


def _require_handler(actor) -> None:
    if not access.is_handler(actor):
        raise Refused(_("Only report handlers may do this."), code="not_handler", status=403)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def move(case: Case, state: str, *, actor, note: str = "") -> Case:
    """Move ``case`` to ``state`` (triage, investigating, rejected, closed, back again)."""
    _require_handler(actor)
    case = _locked(case)
    if state not in State.values:
        raise Refused(_("Choose a state."), code="bad_state")
    state = State(state)
    if state not in NEXT[State(case.state)]:
        raise Refused(
            _("A case that is “%(now)s” cannot become “%(next)s”.")
            % {"now": State(case.state).label, "next": state.label},
            code="bad_state",
        )
    if state == State.REJECTED and not note.strip():
        raise Refused(_("Say why the case is not actionable."), code="reason_needed")
    if state == State.CLOSED and not note.strip():
        waiting = case.referrals.filter(status__in=OPEN_REFERRALS).select_related("recipient")
        if waiting:
            raise Refused(
                _(
                    "%(bodies)s has not finished with it yet. Wait for its answer, or say why "
                    "you close the case now."
                )
                % {"bodies": ", ".join(r.recipient.name for r in waiting)},
                code="referral_open",
            )
    previous = case.state
    case.state = state
    case.closed_at = timezone.now() if state in (State.CLOSED, State.REJECTED) else None
    _save(case, f"state: {previous} → {state}", actor=actor, fields=["state", "closed_at"])
    custody.append(
        case, "state_changed", {"from": previous, "to": state, "note": note}, actor=actor
    )
    if state in (State.REJECTED, State.CLOSED):
        outcome_messages.tell_reporters(case)  # a final outcome, once committed
    return case


@transaction.atomic
def decide(case: Case, *, actor, verdict: str, finding: str) -> Case:
    """Record the verdict and what was found (shown to the reporters and on the rebuttal)."""
    _require_handler(actor)
    case = _locked(case)
    if case.state not in (*OPEN, State.DECIDED):
        raise Refused(_("This case is not open for a decision."), code="bad_state")
    verdict = Verdict(verdict)
    finding = finding.replace("\x00", "")
    if len(finding) > 5000:
        raise Refused(_("The finding is at most 5,000 characters."), code="finding_too_long")
    if not finding.strip():
        raise Refused(_("Write what was found and who confirmed it."), code="finding_needed")
    case.verdict, case.finding = verdict, finding.strip()
    case.state, case.decided_at, case.decided_by = State.DECIDED, timezone.now(), actor
    _save(
        case,
        f"decided: {verdict}",
        actor=actor,
        fields=["verdict", "finding", "state", "decided_at", "decided_by"],
    )
    custody.append(case, "decided", {"verdict": verdict, "finding": case.finding}, actor=actor)
    return case


@transaction.atomic
def assign(case: Case, user, *, actor) -> Case:
    _require_handler(actor)
    if user is not None and not access.is_handler(user):
        raise Refused(_("Cases can be assigned to report handlers only."), code="not_handler")
    case = _locked(case)
    case.assigned_to = user
    _save(case, "assigned", actor=actor, fields=["assigned_to"])
    custody.append(
        case, "assigned", {"to": custody.actor_label(user) if user else None}, actor=actor
    )
    return case


@transaction.atomic
def set_priority(case: Case, priority: int, *, actor) -> Case:
    """A new priority; the due time follows it, counted from when the case came in."""
    _require_handler(actor)
    case = _locked(case)
    case.priority = Priority(int(priority))
    case.due_at = due_for(case.priority, case.created_at)
    _save(case, f"priority: {priority}", actor=actor, fields=["priority", "due_at"])
    custody.append(case, "priority_set", {"priority": int(priority)}, actor=actor)
    return case


@transaction.atomic
def comment(case: Case, text: str, *, actor) -> Comment:
    _require_handler(actor)
    text = text.strip()
    if not text:
        raise Refused(_("The comment is empty."), code="comment_empty")
    if len(text) > 5000:
        raise Refused(_("A comment is at most 5,000 characters."), code="comment_too_long")
    note = Comment.objects.create(case=case, author=actor, text=text)
    custody.append(case, "commented", {"comment": note.pk, "text": text}, actor=actor)
    return note


def being_handled(case: Case, user) -> None:
    """Say that ``user`` has the case open now (shown to other handlers until it runs out)."""
    until = timezone.now() + dt.timedelta(minutes=HANDLING_MINUTES)
    Case.objects.filter(pk=case.pk).update(handling_by=user, handling_until=until)


def handled_by_other(case: Case, user):
    """Another handler who has the case open now, or None."""
    mine = case.handling_by_id in (None, user.pk)
    if mine or not case.handling_until or case.handling_until <= timezone.now():
        return None
    return case.handling_by


BULK = {"triage", "investigating", "rejected", "closed", "assign_me", "priority_high"}


def bulk(cases: list[Case], action: str, *, actor, note: str = "") -> tuple[int, list[str]]:
    """One action on several cases: each case in its own transaction, so one that cannot take
    it does not stop the others. (done, problems as "number: message")."""
    if action not in BULK:
        raise Refused(_("Unknown action."), code="bad_action")
    done, problems = 0, []
    for case in cases:
        try:
            if action == "assign_me":
                assign(case, actor, actor=actor)
            elif action == "priority_high":
                set_priority(case, Priority.HIGH, actor=actor)
            else:
                move(case, action, actor=actor, note=note)
            done += 1
        except Refused as exc:
            problems.append(f"{case.number}: {exc.message}")
    return done, problems


def handlers():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=["report_handler", "administrator"])
        .distinct()
        .order_by("username")
    )
