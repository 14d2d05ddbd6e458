"""The handlers' workspace (/xu-ly/): the triage queue, a case with everything known about it,
and the steps taken on it. Not logged in → the log-in page; logged in without the handler
role → 404, as for a case that does not exist (reports/access.py)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chinhthong.bulletins import queries as bulletin_queries
from chinhthong.clients.ratelimit import limited
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.reach import charts, exports
from chinhthong.registry.models import ReportRecipient
from chinhthong.reports import (
    access,
    evidence,
    grouping,
    handling,
    rebuttals,
    referrals,
    statistics,
)
from chinhthong.reports.models import AWAITING_DECISION, Case, Evidence, Priority, State, Verdict

QUEUE_STATES = {
    "open": AWAITING_DECISION,
    "new": (State.NEW,),
    "decided": (State.DECIDED, State.REFERRED),
    "done": (State.CLOSED, State.REJECTED),
}


def handler_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.is_handler(request.user):
            raise Http404
        if "number" in kwargs:
            try:
                kwargs["case"] = access.case_for(request.user, kwargs.pop("number"))
            except NotFound as exc:
                raise Http404(exc.message) from exc
        return view(request, *args, **kwargs)

    return wrapped


@limited("backoffice")
@require_GET
@never_cache
@handler_page
def queue(request):
    shown = request.GET.get("state", "open")
    states = QUEUE_STATES.get(shown, QUEUE_STATES["open"])
    since_decision = Q(reports__received_at__gt=F("decided_at"))
    cases = (
        Case.objects.select_related("assigned_to", "handling_by")
        .annotate(
            report_count=Count("reports", distinct=True),
            new_reports=Count("reports", filter=since_decision, distinct=True),
        )
        .order_by("-priority", "created_at")
    )
    if request.GET.get("mine"):
        # Every case of mine still on the desk, whatever its step.
        cases = cases.filter(assigned_to=request.user).exclude(state__in=QUEUE_STATES["done"])
    elif shown == "open":
        # Decided or referred cases that new reports joined come back to the desk.
        waiting = Q(state__in=(State.DECIDED, State.REFERRED), new_reports__gt=0)
        cases = cases.filter(Q(state__in=states) | waiting)
    else:
        cases = cases.filter(state__in=states)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    counts = dict(
        Case.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return render(
        request,
        "reports/handling/queue.html",
        {
            "page": page,
            "shown": shown,
            "now": timezone.now(),
            "counts": counts,
            "overdue": Case.objects.filter(
                state__in=QUEUE_STATES["open"], due_at__lt=timezone.now()
            ).count(),
            "bulk_actions": _bulk_labels(),
        },
    )


def _bulk_labels():
    return [
        ("triage", _("Move to triage")),
        ("investigating", _("Start investigating")),
        ("assign_me", _("Assign to me")),
        ("priority_high", _("Raise priority to high")),
        ("rejected", _("Not actionable")),
        ("closed", _("Close")),
    ]


@limited("backoffice")
@require_GET
@never_cache
@handler_page
def case_page(request, case):
    other = handling.handled_by_other(case, request.user)
    handling.being_handled(case, request.user)
    reports = case.reports.prefetch_related("links__capture", "evidence").order_by("received_at")
    context = {
        "case": case,
        "other_handler": other,
        "reports": reports,
        "evidence_items": case.evidence.order_by("created_at"),
        "comments": case.comments.select_related("author"),
        "custody": case.custody.order_by("seq"),
        "history": case.history.select_related("history_user").order_by("-history_date")[:50],
        "next_states": sorted(handling.NEXT[State(case.state)] - {State.REJECTED}),
        "can_reject": State.REJECTED in handling.NEXT[State(case.state)],
        "verdicts": Verdict.choices,
        "priorities": Priority.choices,
        "handlers": handling.handlers(),
        "overdue": case.due_at and case.due_at < timezone.now() and case.state in handling.OPEN,
        "suggested": case.suggested_reports.select_related("case")[:10],
        "related": _related(case),
        "sees_contacts": access.sees_contacts(request.user),
        "decidable": case.state in (*handling.OPEN, State.DECIDED),
        "referable": case.state in (State.DECIDED, State.REFERRED),
        "recipients": ReportRecipient.objects.filter(active=True)
        .exclude(referrals__case=case)
        .order_by("name"),
        "referrals": case.referrals.select_related("recipient"),
        "publishable": rebuttals.is_decided(case),
        "published": rebuttals.published().filter(pk=case.pk).exists(),
        "bulletins": bulletin_queries.published().order_by("-published_at")[:50],
        "answering": set(case.bulletins.values_list("slug", flat=True)),
    }
    return render(request, "reports/handling/case.html", context)


def _related(case):
    from chinhthong.reports import matching

    related = getattr(matching, "related", None)
    return related(case) if related else []


@limited("backoffice")
@require_POST
@handler_page
def act(request, case, action: str):
    data = request.POST
    try:
        if action == "state":
            handling.move(
                case, data.get("state", ""), actor=request.user, note=data.get("note", "")
            )
        elif action == "decide":
            if data.get("verdict") not in Verdict.values:
                raise Refused(_("Choose a verdict."), code="verdict_needed")
            handling.decide(
                case, actor=request.user, verdict=data["verdict"], finding=data.get("finding", "")
            )
        elif action == "assign":
            handling.assign(case, _user(data.get("user")), actor=request.user)
        elif action == "priority":
            if data.get("priority") not in {str(p) for p in Priority.values}:
                raise Refused(_("Choose a priority."), code="priority_needed")
            handling.set_priority(case, int(data["priority"]), actor=request.user)
        elif action == "comment":
            handling.comment(case, data.get("text", ""), actor=request.user)
        elif action == "publish":
            rebuttals.publish_rebuttal(
                case,
                actor=request.user,
                title=data.get("title", ""),
                text=data.get("text", ""),
                claim=data.get("claim") or None,
                bulletins=data.getlist("bulletins")[:20],
            )
        elif action == "withdraw":
            rebuttals.withdraw_rebuttal(case, actor=request.user)
        elif action == "merge":
            into = access.case_for(request.user, (data.get("into") or "").strip().upper())
            grouping.merge_cases(case, into, actor=request.user)
            messages.success(request, _("Merged into %(n)s.") % {"n": into.number})
            return redirect("reports:case", number=into.number)
        elif action == "absorb":
            other = access.case_for(request.user, (data.get("other") or "").strip().upper())
            grouping.merge_cases(other, case, actor=request.user)
        elif action == "split":
            report = case.reports.filter(tracking_code=data.get("report", "")).first()
            if report is None:
                raise Refused(_("No such report in this case."), code="no_report")
            new = grouping.split_report(report, actor=request.user)
            messages.success(request, _("The report is now case %(n)s.") % {"n": new.number})
            return redirect("reports:case", number=new.number)
        elif action == "refer":
            recipient = ReportRecipient.objects.filter(
                active=True, code=data.get("recipient", "")
            ).first()
            if recipient is None:
                raise Refused(_("Choose the body to refer the case to."), code="recipient")
            referrals.refer(case, recipient, actor=request.user, note=data.get("note", ""))
        else:
            raise Http404
    except NotFound:
        messages.error(request, _("There is no such case."))
    except (Refused, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, _("Saved."))
    return redirect("reports:case", number=case.number)


def _user(value):
    if not value:
        return None
    found = handling.handlers().filter(pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise Refused(_("Cases can be assigned to report handlers only."), code="not_handler")
    return found


@limited("backoffice")
@require_POST
@handler_page
def bulk(request):
    numbers = request.POST.getlist("case")[:200]
    cases = list(access.cases_for(request.user).filter(number__in=numbers))
    try:
        done, problems = handling.bulk(
            cases,
            request.POST.get("action", ""),
            actor=request.user,
            note=request.POST.get("note", ""),
        )
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        changed = ngettext("%(n)s case changed.", "%(n)s cases changed.", done)
        messages.success(request, changed % {"n": done})
        for problem in problems:
            messages.warning(request, problem)
    return redirect("reports:queue")


@limited("backoffice")
@require_GET
@handler_page
def evidence_file(request, pk: int, shown: bool = False):
    """An evidence file to a handler: the shown (metadata-free) copy of a picture inline, else
    the original as a download, never rendered by the browser."""
    item = Evidence.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    digest = item.shown_sha256 if shown and item.shown_sha256 else item.sha256
    try:
        data = evidence.read(digest)
    except (OSError, Refused) as exc:
        raise Http404 from exc
    inline = bool(shown and item.shown_sha256)
    if inline:
        content_type = "image/jpeg" if item.content_type == "image/jpeg" else "image/png"
    else:
        content_type = "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        not inline, f"{digest[:12]}-{item.name}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@limited("backoffice")
@require_GET
@never_cache
@handler_page
def statistics_page(request):
    figures = statistics.figures()
    weeks = [(day.strftime("%d/%m"), n) for day, n in figures.by_week]
    total = max(figures.total, 1)
    context = {
        "figures": figures,
        "weeks": weeks,
        "week_chart": charts.column_chart(_("Reports received per week"), weeks, every=2),
        "verdict_chart": charts.bar_chart(
            _("Decided cases by verdict"),
            [(name, n / max(figures.decided, 1)) for name, n in figures.by_verdict],
        ),
        "platform_chart": charts.bar_chart(
            _("Cases by platform"), [(name, n / total) for name, n in figures.by_platform]
        ),
    }
    return render(request, "reports/handling/statistics.html", context)


@limited("backoffice")
@require_GET
@handler_page
def export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    name = f"vu-viec-{timezone.localdate().isoformat()}.{fmt}"
    headers, rows = statistics.case_headers(), statistics.case_rows()
    if fmt == "csv":
        return exports.csv_response(name, headers, rows)
    return exports.xlsx_response(name, _("Cases"), headers, rows)
