"""The daily email digest: once a day, at CHINHTHONG_DIGEST_TIME (Asia/Ho_Chi_Minh), one email
per staff member listing the bulletins of the past day they have not read yet.

"The day's bulletins" are those published since the previous digest time (a bulletin published
at 08:00 after a 07:00 digest is in the next morning's). Urgent bulletins were emailed the moment
they were published, so the digest lists the normal ones. People who unsubscribed (RFC 8058
one-click) get no digest; urgent bulletins still reach them.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhthong.bulletins.models import Bulletin, BulletinVersion
from chinhthong.bulletins.models import Status as BulletinStatus
from chinhthong.delivery.models import Delivery, DigestOptOut
from chinhthong.reach.models import EventKind, ReachEvent, StaffMember

_UNSUBSCRIBE_SALT = "chinhthong.delivery.unsubscribe"


def key_for(day: dt.date) -> str:
    return f"digest:{day.isoformat()}"


def day_of(key: str) -> dt.date:
    return dt.date.fromisoformat(key.partition(":")[2])


def moment(day: dt.date) -> dt.datetime:
    """The digest time of ``day``, local time, as an aware datetime."""
    clock = dt.time.fromisoformat(settings.DIGEST_TIME)
    return timezone.make_aware(dt.datetime.combine(day, clock))


def window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Bulletins published in [start, end) go into ``day``'s digest."""
    return moment(day - dt.timedelta(days=1)), moment(day)


def due_day(now: dt.datetime | None = None) -> dt.date:
    """The last day whose digest time has passed at ``now`` (today after the digest time,
    else yesterday)."""
    local = timezone.localtime(now or timezone.now())
    return local.date() if local >= moment(local.date()) else local.date() - dt.timedelta(days=1)


def bulletins_of(day: dt.date) -> list[Bulletin]:
    """The normal bulletins published in ``day``'s window, or significantly corrected in it
    (the version to read was made then)."""
    start, end = window(day)
    corrected = BulletinVersion.objects.filter(
        bulletin=OuterRef("pk"),
        number=OuterRef("read_from_version"),
        number__gt=1,
        created_at__gte=start,
        created_at__lt=end,
    )
    found = (
        Bulletin.objects.filter(
            Q(published_at__gte=start, published_at__lt=end) | Exists(corrected),
            status=BulletinStatus.PUBLISHED,
            urgency="normal",
        )
        .prefetch_related("audience", "versions")
        .order_by("published_at", "pk")
    )
    return list(found)


def reaches(bulletin: Bulletin, unit_path: str) -> bool:
    """Whether a staff member of the unit at ``unit_path`` is in the bulletin's audience."""
    if bulletin.whole_province:
        return True
    return any(unit_path.startswith(unit.path) for unit in bulletin.audience.all())


def read_pairs(staff_ids, bulletins: list[Bulletin]) -> set[tuple[int, int]]:
    """(staff id, bulletin id) of those who read the version each bulletin asks for."""
    if not bulletins:
        return set()
    asked = Q(pk__in=[])
    for bulletin in bulletins:
        asked |= Q(bulletin=bulletin, version__gte=bulletin.read_from_version)
    reads = ReachEvent.objects.filter(asked, kind=EventKind.READ)
    if staff_ids is not None:
        reads = reads.filter(staff_id__in=staff_ids)
    return set(reads.values_list("staff_id", "bulletin_id"))


def opted_out(staff_ids=None) -> set[int]:
    found = DigestOptOut.objects.all()
    if staff_ids is not None:
        found = found.filter(staff_id__in=staff_ids)
    return set(found.values_list("staff_id", flat=True))


def recipients(day: dt.date) -> list[tuple[int, int]]:
    """(staff id, number of bulletins listed) for everyone who gets ``day``'s digest: active,
    with an email address, not unsubscribed, with at least one bulletin unread."""
    bulletins = bulletins_of(day)
    if not bulletins:
        return []
    staff = StaffMember.objects.filter(active=True).exclude(email="")
    rows = staff.values_list("pk", "unit__path")
    read = read_pairs(None, bulletins)
    out = opted_out()
    found = []
    for staff_id, path in rows.iterator(chunk_size=5000):
        if staff_id in out:
            continue
        count = sum(1 for b in bulletins if (staff_id, b.pk) not in read and reaches(b, path or ""))
        if count:
            found.append((staff_id, count))
    return found


class DigestBatch:
    """What the digests of a batch of rows list, read in a few queries."""

    def __init__(self, rows: list[Delivery], days: set[dt.date]):
        self.bulletins = {day: bulletins_of(day) for day in days}
        staff_ids = [row.staff_id for row in rows]
        every = [b for listed in self.bulletins.values() for b in listed]
        self.read = read_pairs(staff_ids, every)
        self.out = opted_out(staff_ids)

    def unread(self, row: Delivery, day: dt.date) -> list[Bulletin]:
        from chinhthong.delivery.messages import NothingToSend
        from chinhthong.delivery.models import Status

        if row.staff_id in self.out:
            raise NothingToSend(
                _("Unsubscribed from the daily digest before it was sent."),
                final=Status.PERMANENT_FAILURE,
            )
        path = row.staff.unit.path
        listed = [
            b
            for b in self.bulletins.get(day, [])
            if (row.staff_id, b.pk) not in self.read and reaches(b, path)
        ]
        if not listed:
            raise NothingToSend(
                _("Nothing was left unread when it was due: no email was needed."),
                final=Status.DELIVERED,
            )
        return listed


# --- one-click unsubscribe (RFC 8058) ---------------------------------------------------------
def unsubscribe_token(staff) -> str:
    """Names the staff member in the digest's unsubscribe link; good for as long as the site's
    secret key (a digest read months later still unsubscribes)."""
    return signing.dumps(staff.pk, salt=_UNSUBSCRIBE_SALT)


def staff_for_token(token: str) -> StaffMember | None:
    try:
        staff_id = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(staff_id, int) or isinstance(staff_id, bool):
        return None
    return StaffMember.objects.filter(pk=staff_id).first()
