"""Reads the staff portal shares with its neighbours: who a user is on the rosters, which
bulletins are addressed to a staff member, which of them they have not read, and everything
recorded about them (their right to see their own data, Decree 13/2023/NĐ-CP).

A bulletin is addressed to a staff member when it is for the whole province, or for a unit
whose subtree holds the staff member's unit: with materialised paths, those units are the ids
in the staff member's own unit's path.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.bulletins.attachments import public_files
from chinhthong.bulletins.models import Bulletin, BulletinVersion, Status, Urgency
from chinhthong.bulletins.services import attachment_url
from chinhthong.config.refusals import NotFound
from chinhthong.delivery.models import Channel as DeliveryChannel
from chinhthong.delivery.models import DigestOptOut
from chinhthong.delivery.models import Status as DeliveryStatus
from chinhthong.reach.models import EventKind, ReachEvent, StaffMember
from chinhthong.registry.models import Channel, ChannelKind, ChannelStatus

# The unread list reaches back this far: older bulletins have had their reminders, and a person
# added to a roster today is not greeted by a year of them.
UNREAD_DAYS = 30


def staff_of(user) -> StaffMember | None:
    """The roster entry of a logged-in user, or None (anonymous, or not on any roster)."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    return StaffMember.objects.select_related("unit").filter(user=user).first()


def staff_id_of(user) -> int | None:
    """The id of the roster entry of a logged-in user, or None (one look-up in the index)."""
    found = StaffMember.objects.filter(user=user).order_by().values_list("pk", flat=True)[:1]
    return next(iter(found), None)


def _unit_ids_above(staff: StaffMember) -> list[int]:
    """The staff member's unit and every unit above it."""
    return [int(part) for part in staff.unit.path.strip("/").split("/") if part]


def addressed_to(staff: StaffMember, *, now=None) -> QuerySet[Bulletin]:
    """Published bulletins for the whole province or for a subtree holding the staff member's
    unit, with their latest version's title and summary, urgent first, then newest."""
    through = Bulletin.audience.through.objects.filter(unit_id__in=_unit_ids_above(staff))
    audience = Q(whole_province=True) | Q(pk__in=through.values("bulletin_id"))
    latest = BulletinVersion.objects.filter(bulletin=OuterRef("pk")).order_by("-number")
    return (
        Bulletin.objects.filter(
            audience, status=Status.PUBLISHED, published_at__lte=now or timezone.now()
        )
        .annotate(
            title=Subquery(latest.values("title")[:1]),
            summary=Subquery(latest.values("summary")[:1]),
            urgent_first=Case(
                When(urgency=Urgency.URGENT, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            is_read=Exists(_reads(staff).filter(version__gte=OuterRef("read_from_version"))),
            # Read before a significant correction: asked to read it again.
            read_before=Exists(_reads(staff)),
        )
        .order_by("urgent_first", "-published_at", "-pk")
    )


def _reads(staff: StaffMember) -> QuerySet[ReachEvent]:
    return ReachEvent.objects.filter(staff=staff, kind=EventKind.READ, bulletin=OuterRef("pk"))


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class Home:
    today: list[Bulletin]  # published today (local day), read or not
    unread: list[Bulletin]  # not read, published before today within UNREAD_DAYS


def home_for(staff: StaffMember, *, now=None) -> Home:
    now = now or timezone.now()
    start = _local_midnight(timezone.localdate(now))
    addressed = addressed_to(staff, now=now)
    return Home(
        today=list(addressed.filter(published_at__gte=start)),
        unread=list(
            addressed.filter(
                published_at__lt=start, published_at__gte=now - dt.timedelta(days=UNREAD_DAYS)
            ).filter(is_read=False)
        ),
    )


def unread_for(staff: StaffMember, *, now=None) -> list[Bulletin]:
    """Bulletins addressed to the staff member in the last UNREAD_DAYS they have not read (as
    it stands: a significant correction puts one back)."""
    now = now or timezone.now()
    recent = addressed_to(staff, now=now).filter(
        published_at__gte=now - dt.timedelta(days=UNREAD_DAYS)
    )
    return list(recent.filter(is_read=False))


def bulletin_for(staff: StaffMember, slug: str) -> Bulletin:
    """The bulletin ``slug`` if it is published and addressed to the staff member; NotFound
    otherwise, alike for one that does not exist."""
    found = addressed_to(staff).filter(slug=slug).first()
    if found is None:
        raise NotFound(_("There is no such bulletin for you."), code="no_bulletin")
    return found


def published_bulletin(bulletin_id: int) -> Bulletin | None:
    """A published bulletin by id (for a personal link, whose signature names the person)."""
    return Bulletin.objects.filter(pk=bulletin_id, status=Status.PUBLISHED).first()


def versions_of(bulletin: Bulletin) -> list[BulletinVersion]:
    return list(bulletin.versions.order_by("number"))


def attachments_of(bulletin: Bulletin) -> list[tuple]:
    """The bulletin's published files with their addresses (the public page's own)."""
    files = public_files().filter(bulletin=bulletin).defer("data")
    return [(found, attachment_url(found)) for found in files.order_by("created_at", "pk")]


def read_at(staff: StaffMember, bulletin: Bulletin):
    """When the staff member read the version they must have read, or None."""
    event = (
        ReachEvent.objects.filter(
            staff=staff,
            kind=EventKind.READ,
            bulletin=bulletin,
            version__gte=bulletin.read_from_version,
        )
        .order_by("at")
        .first()
    )
    return event.at if event else None


def official_app() -> Channel | None:
    """The official mobile app staff are asked to install: the registry's mobile-app channel
    (active before pending review), or None when the registry has none."""
    return (
        Channel.objects.filter(kind=ChannelKind.MOBILE_APP)
        .exclude(status=ChannelStatus.RETIRED)
        .order_by("status", "pk")
        .first()
    )


# --- What is recorded about a person -------------------------------------------------------
@dataclass
class Activity:
    staff: StaffMember
    reads: int
    shares: int
    share_visits: int
    days_accessed_30: int
    days_accessed: int
    app_declared_on: dt.date | None
    app_confirmed_at: dt.datetime | None
    app_confirmed_by: str  # the user name of the manager who confirmed it ("" if unknown)
    deliveries: list[dict]  # {"channel", "status", "count"}
    push_subscriptions: int
    zalo_linked: bool
    digest_unsubscribed_at: dt.datetime | None  # the daily digest switched off, when


def activity_of(staff: StaffMember, *, now=None) -> Activity:
    now = now or timezone.now()
    counts = ReachEvent.objects.filter(staff=staff).aggregate(
        reads=Count("pk", filter=Q(kind=EventKind.READ)),
        shares=Count("pk", filter=Q(kind=EventKind.SHARED)),
        share_visits=Count("pk", filter=Q(kind=EventKind.SHARE_VISIT)),
        days_accessed=Count("pk", filter=Q(kind=EventKind.ACCESS)),
        days_accessed_30=Count(
            "pk",
            filter=Q(
                kind=EventKind.ACCESS,
                day__gt=timezone.localdate(now) - dt.timedelta(days=30),
            ),
        ),
    )
    declared = _latest(staff, EventKind.APP_INSTALLED)
    confirmed = _latest(staff, EventKind.APP_CONFIRMED)
    return Activity(
        staff=staff,
        app_declared_on=declared.day if declared else None,
        app_confirmed_at=confirmed.at if confirmed else None,
        app_confirmed_by=(
            confirmed.confirmed_by.get_username() if confirmed and confirmed.confirmed_by else ""
        ),
        deliveries=[
            {
                **row,
                "channel_label": dict(DeliveryChannel.choices).get(row["channel"], row["channel"]),
                "status_label": dict(DeliveryStatus.choices).get(row["status"], row["status"]),
            }
            for row in staff.deliveries.values("channel", "status")
            .annotate(count=Count("pk"))
            .order_by("channel", "status")
        ],
        push_subscriptions=staff.push_subscriptions.count(),
        zalo_linked=bool(staff.zalo_id),
        digest_unsubscribed_at=DigestOptOut.objects.filter(staff=staff)
        .values_list("at", flat=True)
        .first(),
        **counts,
    )


def _latest(staff: StaffMember, kind: str) -> ReachEvent | None:
    found = ReachEvent.objects.filter(staff=staff, kind=kind).select_related("confirmed_by")
    return found.order_by("-at", "-pk").first()


def events_of(staff: StaffMember) -> QuerySet[ReachEvent]:
    """Every event recorded about the staff member, newest first, with its bulletin."""
    return (
        ReachEvent.objects.filter(staff=staff)
        .select_related("bulletin", "unit", "confirmed_by")
        .annotate(
            title=Subquery(
                BulletinVersion.objects.filter(bulletin=OuterRef("bulletin"))
                .order_by("-number")
                .values("title")[:1]
            )
        )
        .order_by("-at", "-pk")
    )
