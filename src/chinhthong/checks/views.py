from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from chinhthong.checks import services
from chinhthong.checks.forms import CheckForm
from chinhthong.clients.budget import rate_limited
from chinhthong.clients.ratelimit import RateLimitExceeded, charge, charged_for_work, limited


@limited("pages", max_body=services.MAX_EMAIL_BYTES + 256 * 1024)  # an .eml and the form
@require_http_methods(["GET", "HEAD", "POST"])
def check_page(request: HttpRequest) -> HttpResponse:
    """The "Kiểm tra" page. A single link checked through GET ?q= has a shareable address;
    messages and uploaded emails are checked on POST and never put in an address."""
    if request.method == "POST":
        form = CheckForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "checks/check.html", {"form": form}, status=400)
        text, eml = form.cleaned_data["q"].strip(), form.cleaned_data["eml"]
        if eml:
            try:
                charge(request, services.email_cost(eml) - 1)
            except RateLimitExceeded as exc:
                return rate_limited(request, exc.retry_after)
        if not eml and "\n" not in text:
            return redirect(reverse("checks:check") + "?" + urlencode({"q": text}))
        return _show(request, form, lambda: _email(request, eml) if eml else services.check(text))
    query = request.GET.get("q", "").strip()
    if not query:
        return render(request, "checks/check.html", {"form": CheckForm()})
    # Bound and validated as the POST form is: an input over the limit is refused by the
    # form, with its message beside the field.
    form = CheckForm({"q": query})
    if not form.is_valid():
        return render(request, "checks/check.html", {"form": form}, status=400)
    return _show(request, form, lambda: services.check(query), shareable=True)


def _email(request, eml: bytes):
    with charged_for_work(request):
        return services.check_email(eml)


def _show(request, form, run, shareable: bool = False) -> HttpResponse:
    try:
        result = run()
    except services.InputRejected as exc:
        form.add_error(None, str(exc))
        return render(request, "checks/check.html", {"form": form}, status=400)
    return render(
        request,
        "checks/check.html",
        {
            "form": form,
            "result": result,
            "render": services.render_reason,
            "shareable": shareable,
            "unverified": services.unverified_claim(result),
            "reasons": [services.render_reason(r) for r in result.reasons],
            "parts": [
                (
                    p,
                    services.VERDICT_LABELS[str(p.verdict)],
                    [services.render_reason(r) for r in p.reasons],
                )
                for p in result.parts
            ],
        },
    )
