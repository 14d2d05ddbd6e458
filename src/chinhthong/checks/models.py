"""Blocklists: where entries come from, the entries themselves, sites known not to imitate
anyone, and a version counter that tells every process when to reload them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chinhthong.config.validators import (
    validate_link_port,
    validate_multi_line,
    validate_one_line,
)
from chinhthong.verify.feeds import FORMATS

# Feeds by the service that publishes them; a plain list described.
FORMAT_LABELS = {
    "phishtank": "PhishTank",
    "openphish": "OpenPhish",
    "urlhaus": "URLhaus",
    "plain": _("plain list, one entry per line"),
}


class BlocklistSource(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True, validators=[validate_one_line])
    format = models.CharField(
        _("format"), max_length=20, choices=[(f, FORMAT_LABELS.get(f, f)) for f in FORMATS]
    )
    url = models.URLField(
        _("feed address"),
        max_length=500,
        blank=True,
        help_text=_("Fetched on schedule when set; leave empty for lists imported by hand."),
        validators=[validate_one_line, validate_link_port],
    )
    # Bounded so that dates computed from them stay in range (a week; ten years).
    fetch_every_minutes = models.PositiveIntegerField(
        _("fetch every (minutes)"),
        default=360,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
    )
    keep_days = models.PositiveIntegerField(
        _("keep entries (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_("An entry not seen again in the feed for this long expires; empty keeps it."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, validators=[validate_multi_line])

    class Meta:
        ordering = ["name"]
        verbose_name = _("blocklist source")
        verbose_name_plural = _("blocklist sources")

    def __str__(self) -> str:
        return self.title or self.name


class BlocklistEntry(models.Model):
    source = models.ForeignKey(
        BlocklistSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(
        _("kind"), max_length=4, choices=[("url", "URL"), ("host", _("domain"))]
    )
    value = models.CharField(_("value"), max_length=2048)
    added_at = models.DateTimeField(_("added"))
    last_seen_at = models.DateTimeField(_("last seen"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("blocklist entry")
        verbose_name_plural = _("blocklist entries")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "value"], name="blocklist_entry_unique"
            ),
        ]
        indexes = [models.Index(fields=["value"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return self.value


class KnownSite(models.Model):
    """A site that is not an official channel and is known not to imitate one: a newspaper
    whose name is a letter away from a province's. Its own name is not compared with official
    names; names made up below it (quangninh-gov.example.vn) still are."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("The registrable domain, e.g. laodong.vn; its subdomains are included."),
        validators=[validate_one_line],
    )
    name = models.CharField(
        _("whose site"),
        max_length=200,
        help_text=_("Shown to people who check it, e.g. Báo Lao Động."),
        validators=[validate_one_line],
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Why it is known, for editors."),
        validators=[validate_multi_line],
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("known legitimate site")
        verbose_name_plural = _("known legitimate sites")

    def __str__(self) -> str:
        return self.domain


class BlocklistState(models.Model):
    """One row; ``version`` grows with every change so engines know to reload."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"blocklist v{self.version}"
