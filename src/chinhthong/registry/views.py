from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import condition, require_safe

from chinhthong.clients.ratelimit import limited
from chinhthong.portal.services import is_check_input
from chinhthong.registry import services, snapshots
from chinhthong.registry.forms import WITH_PENDING, DirectoryFilterForm
from chinhthong.registry.models import Agency, Channel, ChannelStatus


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    if is_check_input(query):  # a link, domain, address or number is checked, not searched
        return redirect(reverse("checks:check") + "?" + urlencode({"q": query.strip()}))
    form = DirectoryFilterForm(request.GET or None)
    flt = (
        form.to_filter()
        if form.is_valid()
        else services.DirectoryFilter(status=ChannelStatus.ACTIVE)
    )
    groups = services.directory(flt)
    # The same search with channels pending review, for the link that asks for them.
    kept = {k: v for k, v in request.GET.items() if k in form.fields and k not in form.errors}
    with_pending = {**kept, "status": WITH_PENDING}
    return render(
        request,
        "registry/directory.html",
        {
            "form": form,
            "groups": groups,
            "count": sum(len(channels) for _agency, channels in groups),
            "hidden_pending": services.count_hidden_pending(flt),
            "with_pending_url": "?" + urlencode({k: v for k, v in with_pending.items() if v}),
            "searching": bool(request.GET),
        },
    )


@require_safe
def channel(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = services.channel_detail(slug)
    except Channel.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "registry/channel.html", {"channel": found})


@require_safe
def agency(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = services.agency_with_channels(code)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "registry/agency.html", {"agency": found})


def _snapshot(request: HttpRequest):
    """The snapshot this request serves, read once so that its ETag, dates, body and headers
    all come from one row: ``?sha256=`` names a version (the signature or key of the body a
    client already holds), else the latest. None when there is none."""
    if not hasattr(request, "_snapshot"):
        wanted = request.GET.get("sha256", "")
        if wanted:
            request._snapshot = snapshots.snapshot_with_sha256(wanted)
        else:
            request._snapshot = snapshots.latest_snapshot()
    return request._snapshot


def _etag(request: HttpRequest, *args) -> str | None:
    found = _snapshot(request)
    return found.sha256 if found else None


def _modified(request: HttpRequest, *args):
    found = _snapshot(request)
    return found.generated_at if found else None


def _published(part, content_type: str):
    """A view serving one part of a snapshot, cacheable and open to other sites. Every part
    names the snapshot's signature and where to fetch the parts of this very version, so a
    client never pairs the body of one version with the signature of the next."""

    @limited("snapshot")
    @require_safe
    @condition(etag_func=_etag, last_modified_func=_modified)
    def view(request: HttpRequest) -> HttpResponse:
        found = _snapshot(request)
        if found is None:  # `chinhthong setup` builds the first one
            raise Http404
        response = HttpResponse(part(found), content_type=content_type)
        response["Cache-Control"] = "public, max-age=60"
        response["X-Signature-Key-Id"] = found.key_id
        response["X-Signature"] = found.signature
        response["Link"] = ", ".join(
            f'<{reverse(name)}?sha256={found.sha256}>; rel="{rel}"'
            for name, rel in (
                ("registry-json", "canonical"),
                ("registry-signature", "signature"),
                ("registry-public-key", "publickey"),
            )
        )
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, X-Signature, X-Signature-Key-Id, Link"
        return response

    return view


registry_json = _published(lambda s: bytes(s.body), "application/json; charset=utf-8")
registry_signature = _published(lambda s: s.signature + "\n", "text/plain; charset=ascii")
# The key that signed the snapshot travels with it (web nodes hold no private key).
registry_public_key = _published(lambda s: s.public_key, "application/x-pem-file")
