"""Site-wide pages: home, health probe, error pages."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from chinhthong.checks.forms import CheckForm
from chinhthong.clients.ratelimit import limited
from chinhthong.config import health
from chinhthong.registry.models import Channel, ChannelStatus


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    active = Channel.objects.filter(status=ChannelStatus.ACTIVE).count()
    # The check box leads: checking is what residents come for.
    check_form = CheckForm(auto_id="home-check-%s")
    return render(request, "home.html", {"active_channels": active, "check_form": check_form})


@limited("health")
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health.overall()
    return JsonResponse(report, status=200 if healthy else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without request context: the database or a context processor may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
