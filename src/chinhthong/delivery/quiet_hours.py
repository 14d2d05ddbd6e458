"""Quiet hours (settings.QUIET_HOURS, such as "21:00-06:30", local time in Asia/Ho_Chi_Minh):
web push and Zalo messages that are not urgent wait until they end. Urgent bulletins are sent
at once, day or night — they are what the channels are for."""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def _times(spec: str) -> tuple[dt.time, dt.time]:
    start, end = spec.split("-")
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def quiet_until(now: dt.datetime | None = None, spec: str | None = None) -> dt.datetime | None:
    """When the quiet hours that hold at ``now`` end (an aware datetime), or None when
    ``now`` is outside them (or there are none)."""
    spec = settings.QUIET_HOURS if spec is None else spec
    if not spec:
        return None
    start, end = _times(spec)
    if start == end:
        return None
    local = timezone.localtime(now or timezone.now())
    zone = local.tzinfo
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if start < end:  # within one day, such as 12:00-13:30
        inside = start <= clock < end
        end_day = day
    else:  # across midnight, such as 21:00-06:30
        inside = clock >= start or clock < end
        end_day = day + dt.timedelta(days=1) if clock >= start else day
    if not inside:
        return None
    return dt.datetime.combine(end_day, end, tzinfo=zone)


def next_local_midnight(now: dt.datetime | None = None) -> dt.datetime:
    """The start of the next local day: when a daily quota starts afresh."""
    local = timezone.localtime(now or timezone.now())
    return dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=local.tzinfo)
