"""What staff do with official information, recorded as events (never pixels, never counters).

Every edge that learns of a read, a share, a day's visit or an installed app calls one of
these; each is idempotent where the thing can happen only once (a read of one version, the
portal opened on one day).
"""

import datetime as dt

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from chinhthong.config.refusals import Refused
from chinhthong.reach.models import EventKind, ReachEvent, StaffMember, Via

# No official app of a province predates this: an earlier date is a typing slip.
EARLIEST_INSTALL = dt.date(2015, 1, 1)


def local_day(at: dt.datetime) -> dt.date:
    """The date in Asia/Ho_Chi_Minh (the installation's zone) of ``at``."""
    return timezone.localtime(at).date()


def _record(staff: StaffMember, kind: str, *, at=None, day=None, **fields) -> ReachEvent | None:
    at = at or timezone.now()
    event = ReachEvent(
        staff=staff, unit_id=staff.unit_id, kind=kind, at=at, day=day or local_day(at), **fields
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:  # already recorded (one read per version, one access a day)
        return None
    return event


def record_read(staff: StaffMember, bulletin, *, via: str = Via.PORTAL, at=None):
    """The staff member read the bulletin as it stands now (its latest version)."""
    return _record(
        staff, EventKind.READ, at=at, bulletin=bulletin, version=bulletin.versions.count(), via=via
    )


def has_read(staff: StaffMember, bulletin) -> bool:
    """Read the version they must have read (a significant correction asks again)."""
    return ReachEvent.objects.filter(
        staff=staff,
        kind=EventKind.READ,
        bulletin=bulletin,
        version__gte=bulletin.read_from_version,
    ).exists()


def record_share(staff: StaffMember, bulletin, *, via: str, at=None) -> ReachEvent | None:
    """The staff member pressed a share button: one share per bulletin, channel and local day
    however often it is pressed (None: already recorded that day)."""
    return _record(staff, EventKind.SHARED, at=at, bulletin=bulletin, via=via)


# A visitor's mark, in the shared cache until the end of the day (docs/privacy.md).
_VISIT_SALT = "chinhthong.reach.share-visit"


def record_share_visit(share_code: str, bulletin, *, visitor: str, at=None) -> ReachEvent | None:
    """A visit to the public page through a staff member's share link: one per visitor, share
    code, bulletin and local day (None: not a share code, or that visitor came already today).

    ``visitor`` is the client's address (config/client_ip.py). It is not stored: a keyed hash
    of it with the code, the bulletin and the day is kept in the shared cache until the day
    ends, only to recognise a second visit. The event says only that the share brought a
    visit, on that day."""
    staff = StaffMember.objects.filter(share_code=share_code).first() if share_code else None
    if staff is None:
        return None
    at = at or timezone.now()
    day = local_day(at)
    mark = salted_hmac(_VISIT_SALT, f"{visitor}\n{share_code}\n{bulletin.pk}\n{day.isoformat()}")
    rest_of_day = _start_of(day + dt.timedelta(days=1)) - at
    if not cache.add(f"reach:visit:{mark.hexdigest()}", 1, max(rest_of_day.total_seconds(), 1)):
        return None  # already counted today (or the cache is down: nothing is counted)
    return _record(staff, EventKind.SHARE_VISIT, at=at, day=day, bulletin=bulletin)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def record_access(staff: StaffMember, *, at=None) -> ReachEvent | None:
    """The staff portal opened today (once a day counts)."""
    return _record(staff, EventKind.ACCESS, at=at)


def declare_app_installed(staff: StaffMember, *, on: dt.date, at=None) -> ReachEvent | None:
    """The staff member says they installed the official app, on ``on``: not a day still to
    come, nor one before the app could have been installed (Refused). A day before their roster
    entry is accepted: many installed the app before the roster was imported. A new declaration
    replaces the last one (the newest counts)."""
    at = at or timezone.now()
    if on > local_day(at):
        raise Refused(_("The date cannot be in the future."), code="future_date")
    if on < EARLIEST_INSTALL:
        raise Refused(
            _("The date is before %(year)s: please check the year.")
            % {"year": EARLIEST_INSTALL.year},
            code="too_early",
        )
    return _record(staff, EventKind.APP_INSTALLED, at=at, day=on)


def confirm_app_installed(staff: StaffMember, *, manager, at=None) -> ReachEvent | None:
    """A manager confirms the person's declaration, and is recorded as the one who did. Only
    a declared installation not yet confirmed can be, and not by the person themself
    (Refused). The manager's scope is checked by the caller's access rules (reach/access.py);
    the caller holds a lock on the person's row (dashboards.confirm_app)."""
    if manager is not None and staff.user_id is not None and staff.user_id == manager.pk:
        raise Refused(
            _(
                "You cannot confirm your own installation: another manager of your unit or of "
                "a unit above it confirms it."
            ),
            code="own_installation",
        )
    mine = ReachEvent.objects.filter(staff=staff)
    if mine.filter(kind=EventKind.APP_CONFIRMED).exists():
        raise Refused(
            _("The installation of %(name)s is already confirmed.") % {"name": staff.name},
            code="already_confirmed",
        )
    if not mine.filter(kind=EventKind.APP_INSTALLED).exists():
        raise Refused(
            _(
                "%(name)s has not declared the official app installed: there is nothing to "
                "confirm yet."
            )
            % {"name": staff.name},
            code="not_declared",
        )
    return _record(staff, EventKind.APP_CONFIRMED, at=at, via=Via.MANAGER, confirmed_by=manager)


def app_installed_on(staff: StaffMember) -> dt.date | None:
    event = (
        ReachEvent.objects.filter(staff=staff, kind=EventKind.APP_INSTALLED).order_by("-at").first()
    )
    return event.day if event else None
