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


@require_safe
@condition(etag_func=_latest_etag, last_modified_func=_latest_modified)
def registry_json(request: HttpRequest) -> HttpResponse:
    latest = _snapshot_or_404()
    response = HttpResponse(bytes(latest.body), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    response["X-Signature-Key-Id"] = latest.key_id
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@condition(etag_func=_latest_etag, last_modified_func=_latest_modified)
def registry_signature(request: HttpRequest) -> HttpResponse:
    latest = _snapshot_or_404()
    response = HttpResponse(latest.signature + "\n", content_type="text/plain; charset=ascii")
    response["Cache-Control"] = "public, max-age=60"
    response["X-Signature-Key-Id"] = latest.key_id
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@condition(etag_func=_latest_etag, last_modified_func=_latest_modified)
def registry_public_key(request: HttpRequest) -> HttpResponse:
    """The key that signed the latest snapshot."""
    latest = _snapshot_or_404()
    response = HttpResponse(latest.public_key, content_type="application/x-pem-file")
    response["X-Signature-Key-Id"] = latest.key_id
    response["Access-Control-Allow-Origin"] = "*"
    return response
