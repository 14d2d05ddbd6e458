"""The digest's one-click unsubscribe (RFC 8058).

The link in each digest names its staff member with a signed token. A GET shows a page with a
button, so that a link scanner or a preview that follows links unsubscribes nobody; a POST —
the mail provider's one-click request, which comes without cookies and without a CSRF token, as
RFC 8058 requires, or the page's button — unsubscribes. Only the token's holder can do it, it
changes nothing but their own digest, and requests are rate-limited per client as every public
page is (clients/ratelimit.py).
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from chinhthong.clients.ratelimit import limited
from chinhthong.delivery import digest, services


@limited("pages")
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    staff = digest.staff_for_token(token)
    if staff is None:
        raise Http404
    done = None
    if request.method == "POST":
        if request.POST.get("action") == "subscribe":
            services.resubscribe(staff)
            done = "subscribed"
        else:  # "List-Unsubscribe=One-Click", or the page's button
            services.unsubscribe(staff)
            done = "unsubscribed"
    response = render(
        request,
        "delivery/unsubscribe.html",
        {"subscribed": services.is_subscribed(staff), "done": done},
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
