"""Bulletins: official updates written once, each change a new signed version, and the items
that registered channels' feeds bring in for an editor to review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chinhthong.config.validators import validate_one_line


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Bulletin(models.Model):
    slug = models.SlugField(_("address"), max_length=120, unique=True, allow_unicode=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    whole_province = models.BooleanField(_("the whole province"), default=True)
    audience = models.ManyToManyField(
        "reach.Unit",
        verbose_name=_("units (with their subtrees)"),
        blank=True,
        related_name="bulletins",
    )
    tags = models.JSONField(_("topics"), default=list, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    # The number of the version staff must have read: raised by a significant correction.
    read_from_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["read_from_version"])

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        latest = self.latest_version
        return latest.title if latest else self.slug

    @property
    def latest_version(self) -> "BulletinVersion | None":
        return self.versions.order_by("-number").first()


class BulletinVersion(models.Model):
    """What a bulletin said at one time, as signed. Never changed once published: a correction
    is a new version."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("Title"), max_length=300, validators=[validate_one_line])
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body_markdown = models.TextField(_("body (Markdown)"), max_length=100_000)
    body_html = models.TextField(editable=False)
    # [{"title": ..., "url": ...}]: the official sources the bulletin cites.
    sources = models.JSONField(_("sources"), default=list, blank=True)
    significant = models.BooleanField(
        _("significant change"),
        default=False,
        help_text=_("Staff who read an earlier version are asked to read this one."),
    )
    change_note = models.CharField(
        _("what changed"), max_length=500, blank=True, validators=[validate_one_line]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Ed25519 over `signed_body` with the registry snapshot's key (bulletins/signing.py).
    signed_body = models.BinaryField(editable=False, default=b"")
    signature = models.CharField(max_length=100, editable=False, blank=True)
    key_id = models.CharField(max_length=32, editable=False, blank=True)

    class Meta:
        ordering = ["bulletin", "number"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Attachment(models.Model):
    """An image or a PDF, checked from its bytes and capped in size before it is stored."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=200, validators=[validate_one_line])
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class FeedKind(models.TextChoices):
    FEED = "feed", _("RSS or Atom feed")
    PAGE = "page", _("Web page")


class FeedSource(models.Model):
    """A registered channel's feed or page, polled on a schedule into the review queue."""

    channel = models.ForeignKey(
        "registry.Channel",
        verbose_name=_("channel"),
        on_delete=models.CASCADE,
        related_name="feed_sources",
    )
    url = models.URLField(_("address"), max_length=1000)
    kind = models.CharField(_("kind"), max_length=8, choices=FeedKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    every_minutes = models.PositiveIntegerField(_("poll every (minutes)"), default=30)
    # Conditional requests and per-feed backoff.
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("feed source")
        verbose_name_plural = _("feed sources")
        constraints = [models.UniqueConstraint(fields=["url"], name="one_feed_source_per_url")]

    def __str__(self) -> str:
        return self.url


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class FeedItem(models.Model):
    """One item, however many feeds carried it (`key`: its canonical link, else a hash of its
    title and text). Nothing is distributed until an editor approves it."""

    key = models.CharField(max_length=300, unique=True)
    sources = models.ManyToManyField(FeedSource, related_name="items")
    title = models.CharField(_("Title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    bulletin = models.ForeignKey(
        Bulletin, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_items"
    )

    class Meta:
        verbose_name = _("feed item")
        verbose_name_plural = _("feed items")
        ordering = ["-first_seen_at"]
        indexes = [models.Index(fields=["status", "first_seen_at"])]

    def __str__(self) -> str:
        return self.title
