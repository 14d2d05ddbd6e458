"""The pages of the bodies cases are referred to (/chuyen-xu-ly/): a liaison's list of the
cases referred to their body, a case as they may see it, their answer on it (received, being
handled, handled, declined), and the referral package (PDF summary, evidence ZIP) exactly as it
was sent: its ZIP's SHA-256 is the one shown on the page (reports/package.py); a handler picks
the body with ?co-quan=<code>.

Someone not logged in is sent to log in. A case is looked up through reports/access.py, in what
the user may see: a liaison sees only the cases referred to their body, a report handler every
case (and may download any case's package); a case they may not see answers 404, as a missing
one does. A liaison never sees a reporter's identity or contact unless
settings.REFERRAL_INCLUDES_CONTACT says so.
"""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chinhthong.checks.services import VERDICT_LABELS
from chinhthong.clients.ratelimit import limited
from chinhthong.config.refusals import NotFound, Refused
from chinhthong.reach.views import not_for_you
from chinhthong.reports import access, package, referrals
from chinhthong.reports.models import Capture, Referral, ReferralStatus, Report

# A status update carries a CSRF token, a status and a note of at most 5,000 characters.
UPDATE_BODY = 32 * 1024


class UpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Where the case stands with your body"),
        choices=[(s.value, s.label) for s in referrals.ANSWERS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=referrals.MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What was done or decided; needed when you decline the case."),
    )


def liaison_page(view):
    """Not logged in → the log-in page, then back (a form's target: the list instead)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            wanted = (
                request.get_full_path()
                if request.method == "GET"
                else reverse("reports:referral-list")
            )
            return redirect_to_login(wanted)
        return view(request, *args, **kwargs)

    return wrapped


def _case(user, number: str):
    try:
        return access.case_for(user, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _shows_contacts(user) -> bool:
    return access.sees_contacts(user) or bool(settings.REFERRAL_INCLUDES_CONTACT)


@limited("pages")
@require_GET
@never_cache
@liaison_page
def referral_list(request):
    body = access.liaison_body(request.user)
    if body is not None:
        found = Referral.objects.filter(recipient=body)
    elif access.is_handler(request.user):
        found = Referral.objects.all()
    else:
        return not_for_you(
            request,
            _("This page is for the bodies cases are referred to"),
            _(
                "Your account speaks for no body that cases are referred to. An administrator "
                "names each body's liaisons."
            ),
        )
    found = found.select_related("case", "recipient").order_by("-referred_at")
    return render(
        request,
        "reports/referral/list.html",
        {"body": body, "referrals": found, "handler": body is None},
    )


def _page_context(request, case, form=None) -> dict:
    user = request.user
    body = access.liaison_body(user)
    shown = case.referrals.select_related("recipient")
    if body is not None:
        shown = shown.filter(recipient=body)
    reports = list(
        Report.objects.filter(case=case).prefetch_related("links").order_by("received_at", "pk")
    )
    captures = {c.link_id: c for c in Capture.objects.filter(link__report__case=case)}
    links = [
        {
            "link": link,
            "report": report,
            "verdict": VERDICT_LABELS.get((link.verdict or {}).get("verdict", ""), ""),
            "capture": captures.get(link.pk),
        }
        for report in reports
        for link in report.links.all()
    ]
    mine = next((r for r in shown if body is not None and r.recipient_id == body.pk), None)
    if mine is not None and form is None:
        form = UpdateForm(
            initial={
                "status": mine.status if mine.status in referrals.ANSWERS else "",
                "note": mine.status_note,
            }
        )
    return {
        "case": case,
        "body": body,
        "referrals": list(shown),
        "mine": mine,
        "form": form if mine is not None else None,
        "reports": reports,
        "links": links,
        "evidence": case.evidence.order_by("created_at", "pk"),
        "contacts": _shows_contacts(user),
        # Only a package that held contacts since erased can differ from the one sent.
        "not_rebuilt": {r.pk for r in shown if package.rebuilt_differs(r)},
        "handler": body is None,
    }


@limited("pages")
@require_GET
@never_cache
@liaison_page
def referral_case(request, number: str):
    case = _case(request.user, number)
    return render(request, "reports/referral/case.html", _page_context(request, case))


@limited("pages", max_body=UPDATE_BODY)
@require_POST
@never_cache
@liaison_page
def referral_update(request, number: str):
    try:
        referral = referrals.referral_for(request.user, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            referrals.update_referral(
                referral,
                actor=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            status = ReferralStatus(form.cleaned_data["status"]).label
            messages.success(request, _("Recorded: %(status)s.") % {"status": status})
            return redirect("reports:referral-case", number=referral.case.number)
    context = _page_context(request, referral.case, form)
    return render(request, "reports/referral/case.html", context, status=400)


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _recipient_for(request, case):
    """The body the package is addressed to: the liaison's own; for a handler, the body named
    by ?co-quan=<code> among those the case was referred to, else the first it was referred
    to (None when it was referred to none: a copy as the case stands, addressed to no one)."""
    body = access.liaison_body(request.user)
    if body is not None:
        return body
    sent = [r.recipient for r in case.referrals.select_related("recipient").order_by("referred_at")]
    wanted = request.GET.get("co-quan", "")
    if wanted:
        chosen = next((b for b in sent if b.code == wanted), None)
        if chosen is None:
            raise Http404(_("This case was not referred to that body."))
        return chosen
    return sent[0] if sent else None


def _package(request, number: str, kind: str) -> HttpResponse:
    case = _case(request.user, number)
    recipient = _recipient_for(request, case)
    try:
        if kind == "pdf":
            data = package.referral_pdf(case, recipient)
            return _download(data, "application/pdf", f"ho-so-{case.number}.pdf")
        data = package.evidence_zip(case, recipient)
    except Refused as exc:  # evidence that changed or went missing on disk
        messages.error(request, exc.message)
        return redirect("reports:referral-case", number=case.number)
    return _download(data, "application/zip", f"ho-so-{case.number}.zip")


@limited("pages")
@require_GET
@never_cache
@liaison_page
def referral_pdf(request, number: str):
    return _package(request, number, "pdf")


@limited("pages")
@require_GET
@never_cache
@liaison_page
def referral_zip(request, number: str):
    return _package(request, number, "zip")
