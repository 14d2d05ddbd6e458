"""Agencies, the official channels they own, the documents that made them official, and the
bodies that reports are referred to. Every change is kept in history (django-simple-history)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chinhthong.config.validators import (
    validate_link_port,
    validate_multi_line,
    validate_one_line,
)
from chinhthong.registry import identifiers, succession
from chinhthong.verify import canonical
from chinhthong.verify.text import fold


class Level(models.TextChoices):
    INTERNATIONAL = "international", _("International")
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City / district")
    COMMUNE = "commune", _("Commune / ward")


class ChannelKind(models.TextChoices):
    WEBSITE = "website", _("Website")
    FACEBOOK_PAGE = "facebook_page", _("Facebook page")
    ZALO_OA = "zalo_oa", _("Zalo official account")
    MOBILE_APP = "mobile_app", _("Mobile app")
    MAIL_DOMAIN = "mail_domain", _("Mail domain")
    MAIL_ADDRESS = "mail_address", _("Mail address")
    YOUTUBE = "youtube", _("YouTube channel")
    TIKTOK = "tiktok", _("TikTok account")
    HOTLINE = "hotline", _("Hotline")


class ChannelStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PENDING_REVIEW = "pending_review", _("Pending review")
    RETIRED = "retired", _("Retired")


class RecipientKind(models.TextChoices):
    INSPECTORATE = "inspectorate", _("Inspectorate")
    POLICE = "police", _("Police")
    LOCAL_SECURITY = "local_security", _("Local security forces")
    OTHER = "other", _("Other")


class SourceDocument(models.Model):
    """The official document (letter, decision) that made a channel or body official."""

    number = models.CharField(
        _("number"), max_length=100, unique=True, validators=[validate_one_line]
    )
    date = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, validators=[validate_one_line])
    title = models.CharField(_("title"), max_length=500, blank=True, validators=[validate_one_line])
    url = models.URLField(
        _("link"), max_length=500, blank=True, validators=[validate_one_line, validate_link_port]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "number"]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")

    def __str__(self) -> str:
        return self.number


class Agency(models.Model):
    code = models.SlugField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=255, validators=[validate_one_line])
    name_en = models.CharField(
        _("name (English)"), max_length=255, blank=True, validators=[validate_one_line]
    )
    short_name = models.CharField(
        _("short name"), max_length=100, blank=True, validators=[validate_one_line]
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    address = models.CharField(
        _("address"), max_length=500, blank=True, validators=[validate_one_line]
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True, validators=[validate_one_line])
    email = models.EmailField(_("email"), blank=True, validators=[validate_one_line])
    website = models.URLField(
        _("website"), max_length=500, blank=True, validators=[validate_one_line, validate_link_port]
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_multi_line])
    # Reorganisation (registry/succession.py): who takes over, from when, by which decision.
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The agency that takes over its channels and tasks (merger, renaming)."),
    )
    succeeded_on = models.DateField(
        _("succeeded on"),
        null=True,
        blank=True,
        help_text=_(
            "The date from which the successor takes over; without a successor, the date the "
            "agency ceased to operate."
        ),
    )
    succession_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("succession decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successions",
    )
    search_text = models.TextField(editable=False, default="")
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=~Q(successor=F("id")),
                name="agency_not_own_successor",
                violation_error_message=_("An agency cannot be its own successor."),
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(succeeded_on__isnull=False),
                name="agency_successor_has_date",
                violation_error_message=_("Enter the date from which the successor takes over."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join([self.name, self.name_en, self.short_name, self.code]))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("registry:agency", args=[self.code])

    def clean(self) -> None:
        found = succession.problems(
            self.pk,
            self.successor_id,
            self.succeeded_on,
            self.succession_document_id,
            successor_of=_stored_successor,
            name_of=lambda pk: self.name if pk == self.pk else _stored_name(pk),
        )
        if found:
            raise ValidationError(found)


def _stored_successor(pk: int) -> int | None:
    return Agency.objects.filter(pk=pk).values_list("successor_id", flat=True).first()


def _stored_name(pk: int) -> str:
    return Agency.objects.filter(pk=pk).values_list("name", flat=True).first() or ""


class Channel(models.Model):
    slug = models.SlugField(_("code"), max_length=100, unique=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="channels"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("display name"), max_length=255, validators=[validate_one_line])
    # Its port is checked in clean(), with the rest of the link (identifiers.clean_channel).
    url = models.URLField(_("link"), max_length=500, blank=True, validators=[validate_one_line])
    identifier_as_printed = models.CharField(
        _("identifier as printed"),
        max_length=255,
        blank=True,
        help_text=_("Exactly as the source document prints it, even when it is wrong."),
        validators=[validate_one_line],
    )
    # Identifiers, stored canonically (registry/identifiers.py); which ones a kind uses is
    # declared in identifiers.FIELDS_BY_KIND.
    host = models.CharField(_("domain"), max_length=253, blank=True, validators=[validate_one_line])
    facebook_username = models.CharField(
        _("Facebook username"), max_length=50, blank=True, validators=[validate_one_line]
    )
    facebook_key = models.CharField(max_length=50, blank=True, editable=False)
    facebook_page_id = models.CharField(
        _("Facebook page id"), max_length=20, blank=True, validators=[validate_one_line]
    )
    zalo_oa_id = models.CharField(
        _("Zalo OA id"), max_length=25, blank=True, validators=[validate_one_line]
    )
    android_package = models.CharField(
        _("Android package"), max_length=255, blank=True, validators=[validate_one_line]
    )
    ios_app_id = models.CharField(
        _("App Store id"), max_length=12, blank=True, validators=[validate_one_line]
    )
    mail_address = models.CharField(
        _("mail address"), max_length=320, blank=True, validators=[validate_one_line]
    )
    phone = models.CharField(
        _("phone number"), max_length=20, blank=True, validators=[validate_one_line]
    )
    handle = models.CharField(
        _("handle"), max_length=100, blank=True, validators=[validate_one_line]
    )
    verified_badge = models.BooleanField(_("verified badge"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ChannelStatus.choices,
        default=ChannelStatus.PENDING_REVIEW,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="channels",
    )
    last_verified = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_(
            "When an editor last confirmed that the channel exists and is run by its agency."
        ),
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        validators=[validate_multi_line],
        help_text=_("Shown to everyone on the channel's public page."),
    )
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_text", "facebook_key", "updated_at"])

    class Meta:
        ordering = ["agency__name", "kind", "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "host"],
                condition=~Q(host=""),
                name="channel_unique_host",
                violation_error_message=identifiers.TAKEN,
            ),
            models.UniqueConstraint(
                fields=["kind", "handle"],
                condition=~Q(handle=""),
                name="channel_unique_handle",
                violation_error_message=identifiers.TAKEN,
            ),
            *[
                models.UniqueConstraint(
                    fields=[name],
                    condition=~Q(**{name: ""}),
                    name=f"channel_unique_{name}",
                    violation_error_message=identifiers.TAKEN,
                )
                for name in identifiers.GLOBALLY_UNIQUE
            ],
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.facebook_key = canonical.facebook_match_key(self.facebook_username)
        words = [self.name, self.slug, self.identifier_as_printed, self.display_identifier]
        if self.agency_id:
            words += [self.agency.name, self.agency.short_name]
        self.search_text = fold(" ".join(words))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("registry:channel", args=[self.slug])

    def clean(self) -> None:
        identifiers.clean_channel(self)

    def validate_constraints(self, exclude=None) -> None:
        """The identity constraints, each error beside the field an editor fills in and naming
        the channel that holds the identifier. Django would skip facebook_key, which no form
        shows (the database then refused the save with a 500), and put the others' errors
        above the form without saying which channel has them."""
        exclude = set(exclude or ())
        errors = {}
        for field, (column, per_kind) in _IDENTITY.items():
            if field in exclude or (per_kind and "kind" in exclude):
                continue
            value = getattr(self, field)
            if column == "facebook_key":
                value = canonical.facebook_match_key(value)
            if not value:
                continue
            found = Channel.objects.exclude(pk=self.pk).filter(**{column: value})
            holder = found.filter(kind=self.kind).first() if per_kind else found.first()
            if holder is not None:
                errors[field] = [_taken(field, getattr(self, field), holder)]
        if errors:
            raise ValidationError(errors)
        # The constraints checked above are not checked twice.
        super().validate_constraints(
            exclude=exclude | {column for column, _kind in _IDENTITY.values()}
        )

    @property
    def display_identifier(self) -> str:
        return identifiers.display(self)


# The identifiers no two channels share: the field a form shows -> the column the database
# keeps unique, and whether it is unique per kind of channel (a domain may be both a website
# and a mail domain). Facebook usernames ignore case and dots: their key is compared.
_IDENTITY = {
    "host": ("host", True),
    "handle": ("handle", True),
    "facebook_username": ("facebook_key", False),
    **{name: (name, False) for name in identifiers.GLOBALLY_UNIQUE if name != "facebook_key"},
}
TAKEN_BY = _("Channel “%(name)s” (code %(slug)s) already uses this identifier (%(identifier)s).")
SAME_FACEBOOK_PAGE = _(
    "“%(value)s” is the same Facebook page as channel “%(name)s” (%(identifier)s): Facebook "
    "usernames ignore case and dots."
)


def _taken(field: str, value: str, holder: Channel) -> ValidationError:
    params = {"value": value, "name": holder.name, "slug": holder.slug}
    if field == "facebook_username":
        identifier = f"facebook.com/{holder.facebook_username}"
        return ValidationError(
            SAME_FACEBOOK_PAGE, code="taken", params={**params, "identifier": identifier}
        )
    identifier = canonical.unicode_host(value) if field == "host" else value
    return ValidationError(TAKEN_BY, code="taken", params={**params, "identifier": identifier})


class ReportRecipient(models.Model):
    """A body that reports of false information are referred to (letter 1341/STTTT-TTBCXB)."""

    code = models.SlugField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255, validators=[validate_one_line])
    kind = models.CharField(_("kind"), max_length=20, choices=RecipientKind.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_recipients",
    )
    description = models.TextField(
        _("what it handles"), blank=True, validators=[validate_multi_line]
    )
    email = models.EmailField(_("email"), blank=True, validators=[validate_one_line])
    phone = models.CharField(_("phone"), max_length=50, blank=True, validators=[validate_one_line])
    address = models.CharField(
        _("address"), max_length=500, blank=True, validators=[validate_one_line]
    )
    active = models.BooleanField(_("active"), default=True)
    source = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_recipients",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")

    def __str__(self) -> str:
        return self.name


class RegistrySnapshot(models.Model):
    """A signed, published copy of the registry (/registry.json). Rows are only added."""

    generated_at = models.DateTimeField(auto_now_add=True)
    body = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    signature = models.CharField(max_length=100)
    key_id = models.CharField(max_length=32)
    # The public half travels with the snapshot, so web nodes serve /registry.pub without
    # holding the private key (only the nodes that sign need it).
    public_key = models.TextField()

    class Meta:
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"#{self.pk} {self.sha256[:12]}"
