"""The public pages of verified information ("Thông tin đã xác minh"): the list with its search,
and each rebuttal's page with its schema.org ClaimReview. Only published rebuttals are public;
any other address answers 404, as a missing one does. Nothing about reporters is shown."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from chinhthong.clients.ratelimit import limited
from chinhthong.config.refusals import NotFound
from chinhthong.portal import services as portal
from chinhthong.reports import rebuttals


@limited("pages")
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    found = rebuttals.listing(request.GET.get("q", "")[:200], request.GET.get("trang", 1))
    return render(request, "reports/rebuttal/index.html", {"listing": found})


@limited("pages")
@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page = rebuttals.rebuttal_page(slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    review = rebuttals.claim_review(page.case, portal.identity())
    return render(
        request,
        "reports/rebuttal/detail.html",
        {
            "page": page,
            "case": page.case,
            "canonical": page.canonical,
            "share_links": portal.share_links(page.canonical),
            "claim_review": rebuttals.json_ld(review),
        },
    )
