"""The public site's pages of its own: the report page, and the identity's images."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from chinhthong.clients.ratelimit import limited
from chinhthong.portal import images, services

# An image's address names its digest, so a new upload is a new address: cached for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def report(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/report.html", {"recipients": services.report_recipients()})


def _image(kind: str):
    # Counted with the snapshot: cacheable published content every page refers to.
    @limited("snapshot")
    @require_safe
    def view(request: HttpRequest, digest: str) -> HttpResponse:
        found = services.identity()
        if not digest or getattr(found, f"{kind}_sha256") != digest:
            raise Http404
        response = HttpResponse(
            bytes(getattr(found, kind)), content_type=getattr(found, f"{kind}_type")
        )
        response["Cache-Control"] = IMMUTABLE
        response["Content-Disposition"] = f'inline; filename="{kind}.{_extension(found, kind)}"'
        return response

    return view


def _extension(found, kind: str) -> str:
    return images.FORMATS.get(getattr(found, f"{kind}_type"), ("", "bin"))[1]


emblem = _image(images.EMBLEM)
favicon = _image(images.FAVICON)


@limited("snapshot")
@require_safe
def favicon_ico(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and feed readers ask for by habit: the site's icon."""
    return redirect(services.identity().favicon_url)
