from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import condition, require_safe

from chinhthong.config.ratelimit import public_rate_limit
from chinhthong.registry import services, snapshots
from chinhthong.registry.forms import DirectoryFilterForm
from chinhthong.registry.models import Agency, Channel


@require_safe
@public_rate_limit("pages")
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    flt = form.to_filter() if form.is_valid() else services.DirectoryFilter()
    groups = services.directory(flt)
    return render(
        request,
        "registry/directory.html",
        {
            "form": form,
            "groups": groups,
            "count": sum(len(channels) for _agency, channels in groups),
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


def _latest_etag(request: HttpRequest, *args) -> str | None:
    latest = snapshots.latest_snapshot()
    return latest.sha256 if latest else None


def _latest_modified(request: HttpRequest, *args):
    latest = snapshots.latest_snapshot()
    return latest.generated_at if latest else None


def _snapshot_or_404():
    latest = snapshots.latest_snapshot()
    if latest is None:  # `chinhthong setup` builds the first one
        raise Http404
    return latest


def _published(part, content_type: str):
    """A view serving one part of the latest snapshot, cacheable and open to other sites."""

    @require_safe
    @condition(etag_func=_latest_etag, last_modified_func=_latest_modified)
    def view(request: HttpRequest) -> HttpResponse:
        latest = _snapshot_or_404()
        response = HttpResponse(part(latest), content_type=content_type)
        response["Cache-Control"] = "public, max-age=60"
        response["X-Signature-Key-Id"] = latest.key_id
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return view


registry_json = _published(lambda s: bytes(s.body), "application/json; charset=utf-8")
registry_signature = _published(lambda s: s.signature + "\n", "text/plain; charset=ascii")
# The key that signed the latest snapshot travels with it (web nodes hold no private key).
registry_public_key = _published(lambda s: s.public_key, "application/x-pem-file")
