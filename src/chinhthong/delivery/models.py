"""What was sent to whom, on which channel, and what became of it.

One `Delivery` row per (staff member, channel, key): the key names the message ("bulletin:12",
"digest:2026-12-05", "reminder:12"), so a retry or a killed worker finds the row it already
has and never sends one message twice to one person on one channel. Statuses are those GOV.UK
Notify keeps per recipient.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBPUSH = "webpush", _("Web push")
    ZALO = "zalo", _("Zalo")
    PORTAL = "portal", _("Staff portal")


class Status(models.TextChoices):
    CREATED = "created", _("Created")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    TEMPORARY_FAILURE = "temporary-failure", _("Temporary failure")
    PERMANENT_FAILURE = "permanent-failure", _("Permanent failure")
    TECHNICAL_FAILURE = "technical-failure", _("Technical failure")


class Kind(models.TextChoices):
    BULLETIN = "bulletin", _("Bulletin")
    DIGEST = "digest", _("Daily digest")
    REMINDER = "reminder", _("Reminder")
    SUMMARY = "summary", _("Weekly summary")


FINAL = (Status.DELIVERED, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE)


class Delivery(models.Model):
    staff = models.ForeignKey(
        "reach.StaffMember",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("staff member"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    key = models.CharField(_("message key"), max_length=100)
    bulletin = models.ForeignKey(
        "bulletins.Bulletin",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("bulletin"),
    )
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Not before: a retry's backoff, a quota's next window, the end of quiet hours.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # A worker holds a row while it sends; a row held past this time was left by a dead worker.
    claimed_until = models.DateTimeField(_("held by a worker until"), null=True, blank=True)
    # The claim of the worker that holds it: the hand-over is recorded only under the same
    # claim, so a worker whose lease ran out and was retaken by another never sends it.
    claimed_by = models.CharField(
        _("worker's claim"), max_length=32, blank=True, default="", editable=False
    )
    provider_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["staff", "channel", "key"], name="one_send_per_key")
        ]
        indexes = [
            # The workers' queue: rows still to send, by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["created", "temporary-failure"]),
                name="delivery_due",
            ),
            models.Index(fields=["bulletin", "channel", "status"]),
            # One channel's due rows, for a sender claiming a batch of that channel.
            models.Index(
                fields=["channel", "next_attempt_at"],
                condition=Q(status__in=["created", "temporary-failure"]),
                name="delivery_due_channel",
            ),
            # A day's digest, a reminder: messages named by their key.
            models.Index(fields=["key", "channel"], name="delivery_key"),
            # Rows held by a worker: those whose lease ran out are retaken.
            models.Index(
                fields=["claimed_until"], condition=Q(status="sending"), name="delivery_held"
            ),
            # What was delivered over a period, for the units' dashboards (reach/tallies.py).
            models.Index(
                fields=["delivered_at"],
                condition=Q(status="delivered"),
                name="delivery_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.staff_id} ({self.channel}: {self.status})"


class PushSubscription(models.Model):
    """A browser where a staff member installed the portal and allowed notifications."""

    staff = models.ForeignKey(
        "reach.StaffMember",
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("staff member"),
    )
    endpoint = models.URLField(_("push address"), max_length=1000, unique=True)
    p256dh = models.CharField(_("browser's public key"), max_length=200)
    auth = models.CharField(_("browser's authentication secret"), max_length=100)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.endpoint[:60]}"


class ZaloToken(models.Model):
    """The Official Account's tokens: one row, rotated under a row lock (a refresh token can be
    used once; two workers refreshing at once would lose the account)."""

    access_token = models.TextField(_("access token"), blank=True)
    access_expires_at = models.DateTimeField(_("access token expires at"), null=True, blank=True)
    refresh_token = models.TextField(_("refresh token"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Zalo token")
        verbose_name_plural = _("Zalo tokens")

    def __str__(self) -> str:
        return f"Zalo token (expires {self.access_expires_at})"


class ZaloLinkCode(models.Model):
    """A code a staff member sends to the Official Account, so its webhook can tie their Zalo
    user id (known only once they follow the OA) to their roster entry."""

    staff = models.ForeignKey(
        "reach.StaffMember",
        on_delete=models.CASCADE,
        related_name="zalo_codes",
        verbose_name=_("staff member"),
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Zalo linking code")
        verbose_name_plural = _("Zalo linking codes")

    def __str__(self) -> str:
        return self.code


class DigestRun(models.Model):
    """The daily digest of one local day was prepared (its Delivery rows made): the scheduler
    prepares each day's once, however often it asks."""

    day = models.DateField(_("day"), unique=True)
    at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("daily digest run")
        verbose_name_plural = _("daily digest runs")

    def __str__(self) -> str:
        return f"{self.day}: {self.recipients}"


class DigestOptOut(models.Model):
    """Unsubscribed from the daily digest (RFC 8058 one-click). Urgent bulletins still come."""

    staff = models.OneToOneField(
        "reach.StaffMember",
        on_delete=models.CASCADE,
        related_name="digest_opt_out",
        verbose_name=_("staff member"),
    )
    at = models.DateTimeField(_("unsubscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("daily digest unsubscription")
        verbose_name_plural = _("daily digest unsubscriptions")

    def __str__(self) -> str:
        return f"{self.staff_id}"


class ZaloDailyCount(models.Model):
    """Zalo messages sent on one local day, against CHINHTHONG_ZALO_DAILY_QUOTA: a unit is
    taken by a conditional update before each send (never more than the quota, whatever the
    number of workers) and given back when the message did not go."""

    day = models.DateField(_("day"), unique=True)
    sent = models.PositiveIntegerField(_("messages sent"), default=0)

    class Meta:
        verbose_name = _("Zalo messages of a day")
        verbose_name_plural = _("Zalo messages per day")

    def __str__(self) -> str:
        return f"{self.day}: {self.sent}"
