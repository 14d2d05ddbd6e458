"""A bulletin's attached file, served as what its bytes were found to be: the browser is told
not to guess another type (nosniff), a PDF is downloaded rather than shown, and whatever it
is, it runs nothing (a sandboxing Content-Security-Policy of its own)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from chinhthong.bulletins import attachments, services
from chinhthong.bulletins.models import Status
from chinhthong.clients.ratelimit import limited
from chinhthong.config.refusals import NotFound

# A published bulletin's file never changes (a new file is a new address): cached an hour by
# anyone; an unpublished one's by no one.
PUBLIC = "public, max-age=3600"
PRIVATE = "private, no-store"


# Counted with the snapshot: published content that the bulletin pages load.
@limited("snapshot")
@require_safe
def attachment(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    try:
        found = attachments.attachment_for(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc
    if name != found.name:  # renamed while a draft: its address follows
        return redirect(services.attachment_url(found), permanent=False)
    etag = f'"{found.sha256}"'
    public = found.bulletin.status == Status.PUBLISHED
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(bytes(found.data), content_type=found.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=found.content_type == attachments.PDF, filename=found.name
        )
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = PUBLIC if public else PRIVATE
    return response
