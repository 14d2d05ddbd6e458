"""The answer to a locked-out log-in: 429 with Retry-After, the seconds until the lock-out ends
(the cool-off counted from the latest failed attempt of that name from that address)."""

import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from chinhthong.config.client_ip import client_ip


def seconds_locked(request, credentials=None) -> int:
    cool_off = get_cool_off(request)
    latest = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=client_ip(request)
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if latest is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def locked_out(request, original_response=None, credentials=None):
    wait = seconds_locked(request, credentials)
    response = render(
        request, settings.AXES_LOCKOUT_TEMPLATE, {"minutes": math.ceil(wait / 60)}, status=429
    )
    response["Retry-After"] = str(wait)
    return response
