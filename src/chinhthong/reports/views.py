"""The public side of reports: the form a resident reports false information with (no account
needed), its receipt, and the page that shows a report's status by its tracking code."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from chinhthong.clients.ratelimit import RateLimitExceeded, limit, limited
from chinhthong.config.refusals import Refused
from chinhthong.reports import intake, queries
from chinhthong.reports.forms import LookupForm, ReportForm, normalise_code, refusal_as_error
from chinhthong.reports.models import Intake

# The pictures of one report together, and room for the rest of the form.
MAX_REPORT_BODY = 2 * 10 * 2**20 + 256 * 1024


def _staff_member(user):
    """The roster entry of a logged-in staff member, or None (a resident, another role)."""
    if not (user.is_authenticated and user.is_active):
        return None
    from chinhthong.reach.models import StaffMember

    return StaffMember.objects.filter(user=user, active=True).select_related("unit").first()


def _too_many(request: HttpRequest, exc: RateLimitExceeded) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@limited("pages", max_body=MAX_REPORT_BODY)
@require_http_methods(["GET", "POST"])
@never_cache
def report_form(request: HttpRequest) -> HttpResponse:
    staff = _staff_member(request.user)
    context = {"staff": staff}
    if request.method != "POST":
        return render(request, "reports/report_form.html", {**context, "form": ReportForm()})
    try:
        limit(request, "reports")
    except RateLimitExceeded as exc:
        return _too_many(request, exc)
    form = ReportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "reports/report_form.html", context, status=400)
    submission = form.submission(request.FILES)
    try:
        if staff is None:
            report = intake.submit(submission, intake=Intake.WEB)
        else:
            # A staff member reports as themselves: their unit and contact come from the roster.
            submission.contact_name = submission.contact_name or staff.name
            submission.contact_email = submission.contact_email or staff.email
            submission.contact_phone = submission.contact_phone or staff.phone
            submission.consent = True  # handlers may ask a colleague; they are told the outcome
            report = intake.submit(
                submission, intake=Intake.STAFF, actor=request.user, unit=staff.unit
            )
    except Refused as exc:
        refusal_as_error(form, exc)
        return render(request, "reports/report_form.html", context, status=400)
    # The code goes in the address only of the receipt the reporter was sent to, and the
    # receipt is never cached.
    return redirect(reverse("reports:receipt", args=[report.tracking_code]))


@limited("pages")
@require_http_methods(["GET"])
@never_cache
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    return _status_page(request, code, template="reports/receipt.html")


@limited("pages")
@require_http_methods(["GET"])
@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    if "code" not in request.GET:
        return render(request, "reports/lookup.html", {"form": LookupForm()})
    form = LookupForm(request.GET)
    if form.is_valid() and form.cleaned_data["code"]:
        return redirect(reverse("reports:status", args=[form.cleaned_data["code"]]))
    return render(request, "reports/lookup.html", {"form": form, "not_found": True}, status=404)


@limited("pages")
@require_http_methods(["GET"])
@never_cache
def status(request: HttpRequest, code: str) -> HttpResponse:
    return _status_page(request, code, template="reports/status.html")


def _status_page(request: HttpRequest, code: str, *, template: str) -> HttpResponse:
    report = queries.report_by_code(normalise_code(code))
    if report is None:
        form = LookupForm(initial={"code": code[:40]})
        return render(request, "reports/lookup.html", {"form": form, "not_found": True}, status=404)
    context = {"status": queries.public_status(report), "report": report}
    response = render(request, template, context)
    response["Referrer-Policy"] = "no-referrer"  # the code is in this page's address
    response["X-Robots-Tag"] = "noindex"
    return response
