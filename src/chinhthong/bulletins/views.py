"""The public side of bulletins: the list, each bulletin's permanent page, its signed versions
and CAP alerts, and "Có phải bản tin thật?". Only published bulletins are public;
anything else answers 404, as a missing one does."""

import functools

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from chinhthong.bulletins import cap, diffs, forwards, queries
from chinhthong.clients.ratelimit import charged_for_work, limited
from chinhthong.config.client_ip import client_ip
from chinhthong.config.refusals import NotFound
from chinhthong.portal import services as portal
from chinhthong.reach import events
from chinhthong.reports import rebuttals

# A forward of the longest text, URL-encoded (a Vietnamese letter is 9 bytes), and the form.
MAX_FORWARD_BODY = forwards.MAX_FORWARD_CHARS * 9 + 16 * 1024
# Link previews fetch a shared address before anyone opens it: not a visit.
PREVIEW_AGENTS = ("facebookexternalhit", "facebot", "bot", "crawler", "spider", "preview")
IMMUTABLE = "public, max-age=31536000, immutable"


def _found(view):
    """NotFound from the queries is the 404 page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped


@limited("pages")
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    found = queries.listing(
        request.GET.get("q", "")[:200],
        request.GET.get("chu-de", "")[:100],
        request.GET.get("trang", 1),
    )
    return render(request, "bulletins/index.html", {"listing": found})


@limited("pages")
@require_safe
@_found
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    if "s" in request.GET:
        return _share_visit(request, slug)
    page = queries.bulletin_page(slug)
    canonical = queries.page_url(page.bulletin)
    latest = page.latest
    return render(
        request,
        "bulletins/detail.html",
        {
            "page": page,
            "bulletin": page.bulletin,
            "latest": latest,
            "canonical": canonical,
            "public_url": settings.PUBLIC_URL,
            "share_links": portal.share_links(canonical),
            "description": latest.summary or diffs.plain_text(latest.body_html)[:300],
            "is_urgent": page.bulletin.urgency == "urgent",
            "rebuttals": rebuttals.rebuttals_for_bulletin(page.bulletin),
        },
    )


def _share_visit(request: HttpRequest, slug: str) -> HttpResponse:
    """A visit through a staff member's share link is counted for them, once per visitor (their
    address, reduced to a keyed hash kept in the cache until the day ends: nothing about them is
    stored) and day, then sent to the page's clean address: the code is not left in the
    visitor's address bar to be copied and shared on under someone else's name, and a reload
    or a return to the page is not counted again."""
    bulletin = queries.published_bulletin(slug)
    code = request.GET.get("s", "").strip()[:32]
    agent = request.headers.get("User-Agent", "").lower()
    if code and request.method == "GET" and not any(a in agent for a in PREVIEW_AGENTS):
        events.record_share_visit(code, bulletin, visitor=client_ip(request))
    response = redirect("bulletins:detail", slug=bulletin.slug)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _signed(part: str):
    @limited("snapshot")
    @require_safe
    @_found
    def view(request: HttpRequest, slug: str, number: int) -> HttpResponse:
        version = queries.public_version(slug, number)
        if part == "json":
            response = HttpResponse(
                bytes(version.signed_body), content_type="application/json; charset=utf-8"
            )
        else:
            response = HttpResponse(version.signature + "\n", content_type="text/plain")
        json_path = reverse("bulletins:version-json", kwargs={"slug": slug, "number": number})
        response["Cache-Control"] = IMMUTABLE  # a signed version never changes
        response["X-Signature-Key-Id"] = version.key_id
        response["X-Signature"] = version.signature
        response["Link"] = ", ".join(
            (
                f'<{json_path}>; rel="canonical"',
                f'<{json_path}.sig>; rel="signature"',
                f'<{reverse("registry-public-key")}>; rel="publickey"',
            )
        )
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "X-Signature, X-Signature-Key-Id, Link"
        return response

    return view


version_json = _signed("json")
version_signature = _signed("sig")


@limited("pages")
@require_safe
@_found
def cap_alert(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    page = queries.bulletin_page(slug)
    if page.bulletin.urgency != "urgent" or (
        number is not None and all(v.number != number for v in page.versions)
    ):
        raise Http404
    try:
        body = cap.alert_xml(page, number)
    except cap.InvalidAlert:
        # Logged by cap.alert_xml: never an alert the standard's schema refuses.
        return HttpResponse(
            gettext("This alert is withheld until it is corrected."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(body, content_type=cap.CONTENT_TYPE)
    response["Cache-Control"] = "public, max-age=60"
    response["Access-Control-Allow-Origin"] = "*"
    return response


class ForwardForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The forwarded text"),
        max_length=forwards.MAX_FORWARD_CHARS,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": gettext_lazy("Paste the whole message you received here."),
            }
        ),
        error_messages={"required": gettext_lazy("Paste the text you received.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As on the check page: a browser would cut a longer paste silently; the form refuses
        # it and says how long it may be.
        self.fields["text"].widget.attrs.pop("maxlength", None)


@limited("pages", max_body=MAX_FORWARD_BODY)
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def forward_check(request: HttpRequest) -> HttpResponse:
    """The pasted text is compared and answered in the same response; it is neither stored
    nor put in an address."""
    if request.method != "POST":
        return render(request, "bulletins/forward_check.html", {"form": ForwardForm()})
    form = ForwardForm(request.POST)
    if not form.is_valid():
        return render(request, "bulletins/forward_check.html", {"form": form}, status=400)
    with charged_for_work(request):
        report = queries.check_forward(form.cleaned_data["text"])
    return render(
        request,
        "bulletins/forward_check.html",
        {"form": form, "report": report, "match": report.match},
    )
