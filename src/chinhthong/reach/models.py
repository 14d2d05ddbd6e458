"""The organisation (units as a tree of any depth, their managers, the staff in them) and what
staff do with official information, kept as events: read, shared, a visit brought by a share,
the portal opened on a day, the official app installed.

Levels are data: a unit is whatever the roster says it is, under whatever parent (local
government was reorganised in 2025 and will be again). Nothing here names a body.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chinhthong.config.validators import validate_one_line


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True, validators=[validate_one_line])
    name = models.CharField(_("name"), max_length=300, validators=[validate_one_line])
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/<pk>/<pk>/…/": the ids from the root down to this unit, so a subtree is one prefix query.
    # Kept by reach.organisation when a unit is created or moved; never edited by hand.
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    active = models.BooleanField(_("active"), default=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("managers"),
        blank=True,
        related_name="managed_units",
    )
    history = HistoricalRecords(m2m_fields=[managers])

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0


class Category(models.TextChoices):
    """The four kinds of staff named by letter 365/UBND-VHTT."""

    CB = "CB", _("Cadre (CB)")
    CC = "CC", _("Civil servant (CC)")
    VC = "VC", _("Public employee (VC)")
    NLD = "NLĐ", _("Worker (NLĐ)")


def new_share_code() -> str:
    return secrets.token_urlsafe(6)


class StaffMember(models.Model):
    """A person on a unit's roster. People who leave are deactivated, never deleted: their
    events stay counted for the period they were there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_member",
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff"
    )
    position = models.CharField(
        _("position"), max_length=200, blank=True, validators=[validate_one_line]
    )
    category = models.CharField(_("category"), max_length=3, choices=Category.choices)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    zalo_id = models.CharField(_("Zalo id"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    left_at = models.DateTimeField(_("left on"), null=True, blank=True)
    # Each share link carries it, so the public page counts the visits a share brought without
    # recording anything about the visitors.
    share_code = models.CharField(max_length=16, unique=True, default=new_share_code)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="staff_email_unique"
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="staff_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    READ = "read", _("Read")
    SHARED = "shared", _("Shared")
    SHARE_VISIT = "share_visit", _("Visit brought by a share")
    ACCESS = "access", _("Opened the portal")
    APP_INSTALLED = "app_installed", _("Declared the app installed")
    APP_CONFIRMED = "app_confirmed", _("App installation confirmed by a manager")


class Via(models.TextChoices):
    PERSONAL_LINK = "link", _("Personal link")
    PORTAL = "portal", _("Staff portal")
    BUTTON = "button", _("“Read” button")
    ZALO = "zalo", _("Zalo")
    FACEBOOK = "facebook", _("Facebook")
    COPY_LINK = "copy", _("Copied link")
    MANAGER = "manager", _("Manager")
    NONE = "", _("—")


class ReachEvent(models.Model):
    """One thing one staff member did, on one day. Stored as events, not counters: dashboards
    are queries over them, and a correction never rewrites what happened."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="events")
    # The unit at the time: a move between units does not carry past events along.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    bulletin = models.ForeignKey(
        "bulletins.Bulletin", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The version read: a significant correction asks for a new read.
    version = models.PositiveIntegerField(null=True, blank=True)
    via = models.CharField(max_length=16, choices=Via.choices, blank=True, default="")
    at = models.DateTimeField()
    day = models.DateField(help_text="the local date (Asia/Ho_Chi_Minh) of `at`")
    # Who confirmed an installation (app_confirmed): a manager, never the person themself.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["unit", "kind", "day"]),
            models.Index(fields=["staff", "kind", "day"]),
            models.Index(fields=["bulletin", "kind"]),
            # Who did one kind of thing on given days, as a set (reach/laggards.py, dashboards).
            models.Index(fields=["kind", "day", "staff"], name="reach_event_kind_day_staff"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "day"], condition=Q(kind="access"), name="one_access_a_day"
            ),
            models.UniqueConstraint(
                fields=["staff", "bulletin", "version"],
                condition=Q(kind="read"),
                name="one_read_per_version",
            ),
            # Pressing a share button again the same day shares nothing more (reach/events.py).
            models.UniqueConstraint(
                fields=["staff", "bulletin", "via", "day"],
                condition=Q(kind="shared"),
                name="one_share_a_day_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.staff_id} {self.day}"


# --- Tallies for the dashboards (reach/tallies.py) -------------------------------------------
# Made from the events once a day is over (and a bulletin's first 24 hours), so a dashboard over
# 90 days reads a few thousand rows instead of millions; the day in progress is always counted
# from the events themselves. Never edited by hand; remade from the events at any time.


class DayTally(models.Model):
    """What the staff of one unit did, and what was delivered to them, on one past day."""

    day = models.DateField()
    # The unit at the time (the event's unit; a delivery's: the staff member's unit when it was
    # delivered, from the roster's history).
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    delivered_email = models.PositiveIntegerField(default=0)
    delivered_webpush = models.PositiveIntegerField(default=0)
    delivered_zalo = models.PositiveIntegerField(default=0)
    delivered_portal = models.PositiveIntegerField(default=0)
    shared = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    accessed = models.PositiveIntegerField(default=0)  # people who opened the portal that day

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="one_tally_a_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id}"


class TalliedDay(models.Model):
    """A day whose DayTally rows are made (a day with no activity has none)."""

    day = models.DateField(unique=True)
    made_at = models.DateTimeField()
    # The PersonTally rows are as of the end of this day (one day at most has it).
    people = models.BooleanField(default=False)

    def __str__(self) -> str:
        return str(self.day)


class ReadTally(models.Model):
    """Reads within 24 hours of a bulletin's publication, per unit (at the time) and version:
    final once the 24 hours are over."""

    bulletin = models.ForeignKey("bulletins.Bulletin", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "unit", "version"], name="one_read_tally_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id} v{self.version} {self.unit_id}"


class TalliedBulletin(models.Model):
    """A bulletin whose ReadTally rows are made."""

    bulletin = models.OneToOneField(
        "bulletins.Bulletin", on_delete=models.CASCADE, related_name="+"
    )
    made_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.bulletin_id)


class PersonTally(models.Model):
    """Days each person opened the portal before today: of the 6 and of the 29 days up to the
    day of the TalliedDay marked ``people`` (today makes the 7th and the 30th). Remade whole
    once a day; a person with no row opened it on none of them."""

    staff = models.OneToOneField(
        StaffMember, primary_key=True, on_delete=models.CASCADE, related_name="tally"
    )
    access_6 = models.PositiveSmallIntegerField(default=0)
    access_29 = models.PositiveSmallIntegerField(default=0)
    last_access = models.DateField(null=True)

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.access_6}/{self.access_29}"


class WeeklySummary(models.Model):
    """A unit manager's weekly summary email of one week (reach/summaries.py). Managers need not
    be on a roster, so this is not a Delivery row: made before the email is handed over, so
    each manager gets one a week however often the scheduler asks (a worker that dies while
    sending leaves it "sending", never sent twice)."""

    class State(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="the local day the summary is sent on")
    state = models.CharField(max_length=8, choices=State.choices, default=State.SENDING)
    attempts = models.PositiveSmallIntegerField(default=1)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="one_summary_a_week")]

    def __str__(self) -> str:
        return f"{self.week} {self.user_id}: {self.state}"
