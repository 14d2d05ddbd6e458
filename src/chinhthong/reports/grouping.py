"""Handlers correct the grouping: two cases about one claim merged, a report that is about
something else split off into a case of its own.

Both keep every chain of custody whole: nothing is rewritten; each case the change touches
gets an entry that names the reports and the evidence (with their SHA-256) that left or came,
so each chain still accounts for every file it ever took in.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.config.refusals import Refused
from chinhthong.reports import access, custody
from chinhthong.reports.models import Case, Comment, Evidence, Report, State

CLOSED_STATES = (State.CLOSED, State.REJECTED)


def _check_handler(actor) -> None:
    if not access.is_handler(actor):
        raise Refused(_("Only report handlers may regroup cases."), code="forbidden", status=403)


def _evidence_of(queryset) -> list[dict]:
    return [
        {"evidence": pk, "kind": kind, "sha256": sha, "size": size}
        for pk, kind, sha, size in queryset.order_by("pk").values_list(
            "pk", "kind", "sha256", "size"
        )
    ]


def _locked(*cases: Case) -> list[Case]:
    """The cases again, locked, in the order of their keys (two merges never deadlock)."""
    pks = sorted(c.pk for c in cases)
    rows = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    return [rows[c.pk] for c in cases]


@transaction.atomic
def merge_cases(source: Case, into: Case, *, actor) -> Case:
    """Move ``source``'s reports and evidence to ``into`` and close ``source`` with a note
    saying where they went. ``into`` takes the higher priority and the earlier due date."""
    _check_handler(actor)
    if source.pk == into.pk:
        raise Refused(_("A case cannot be merged into itself."), code="same_case")
    source, into = _locked(source, into)
    if source.state in CLOSED_STATES:
        raise Refused(
            _("Case %(number)s is already closed.") % {"number": source.number},
            code="closed",
        )
    if into.state in CLOSED_STATES:
        raise Refused(
            _("Case %(number)s is closed: merge into an open case.") % {"number": into.number},
            code="closed",
        )
    reports = list(Report.objects.filter(case=source).order_by("pk"))
    codes = [r.tracking_code for r in reports]
    moved = _evidence_of(Evidence.objects.filter(case=source))
    Report.objects.filter(case=source).update(case=into)
    Evidence.objects.filter(case=source).update(case=into)
    Report.objects.filter(suggested_case=source).update(suggested_case=into)
    into.bulletins.add(*source.bulletins.all())

    changes = {}
    if source.priority > into.priority:
        changes["priority"] = {"from": into.priority, "to": source.priority}
        into.priority = source.priority
    if source.due_at and (into.due_at is None or source.due_at < into.due_at):
        changes["due_at"] = {"from": into.due_at, "to": source.due_at}
        into.due_at = source.due_at
    if changes:
        into.save(update_fields=[*changes, "updated_at"])
    custody.append(
        into,
        "case_merged_in",
        {"from": source.number, "reports": codes, "evidence": moved, **changes},
        actor=actor,
    )

    note = _("Merged into case %(number)s: its reports and evidence were moved there.") % {
        "number": into.number
    }
    was = source.state
    source.state, source.closed_at = State.CLOSED, timezone.now()
    source.handling_by, source.handling_until = None, None
    source.save(update_fields=["state", "closed_at", "handling_by", "handling_until", "updated_at"])
    Comment.objects.create(case=source, author=_user(actor), text=note)
    custody.append(
        source,
        "case_merged_into",
        {
            "into": into.number,
            "reports": codes,
            "evidence": moved,
            "state": {"from": was, "to": State.CLOSED},
            "note": note,
        },
        actor=actor,
    )
    return into


@transaction.atomic
def split_report(report: Report, *, actor) -> Case:
    """Move ``report`` and its evidence (screenshots, captures of its links) to a new case of
    their own, which it returns."""
    from chinhthong.reports import intake  # intake imports matching; this module is apart

    _check_handler(actor)
    report = Report.objects.select_for_update().get(pk=report.pk)
    (old,) = _locked(report.case)
    if not Report.objects.filter(case=old).exclude(pk=report.pk).exists():
        raise Refused(
            _("This report is the only one of its case: there is nothing to split from."),
            code="only_report",
        )
    if old.state in CLOSED_STATES:
        raise Refused(
            _("Case %(number)s is closed.") % {"number": old.number},
            code="closed",
        )
    platform = (
        report.links.exclude(platform="").values_list("platform", flat=True).first() or old.platform
    )
    title = " ".join(report.claim.split())
    title = (title[:297] + "…" if len(title) > 300 else title) or old.title
    new = intake.new_case(title, old.priority, platform, actor=actor)
    evidence = Evidence.objects.filter(case=old, report=report)
    moved = _evidence_of(evidence)
    evidence.update(case=new)
    Report.objects.filter(pk=report.pk).update(case=new, suggested_case=old, suggested_score=None)
    custody.append(
        old,
        "report_split",
        {"report": report.tracking_code, "to": new.number, "evidence": moved},
        actor=actor,
    )
    custody.append(
        new,
        "report_split_from",
        {
            "report": report.tracking_code,
            "from": old.number,
            "received_at": report.received_at,
            "evidence": moved,
        },
        actor=actor,
    )
    return new


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
