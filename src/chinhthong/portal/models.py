"""Who runs this deployment, as residents see it on every page: the operating agency's name,
emblem, contacts and working hours, the footer's legal line and the site's icon. One record,
edited in the back office and given the province's defaults by `chinhthong setup`."""

from django.db import models
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chinhthong.config.validators import validate_link_port, validate_multi_line, validate_one_line

IDENTITY_PK = 1


class SiteIdentity(models.Model):
    site_name = models.CharField(
        _("site name (Vietnamese)"),
        max_length=200,
        blank=True,
        validators=[validate_one_line],
        help_text=_("Shown in the browser's tab and in link previews."),
    )
    site_name_en = models.CharField(
        _("site name (English)"), max_length=200, blank=True, validators=[validate_one_line]
    )
    name = models.CharField(
        _("operating agency (Vietnamese)"),
        max_length=255,
        blank=True,
        validators=[validate_one_line],
    )
    name_en = models.CharField(
        _("operating agency (English)"),
        max_length=255,
        blank=True,
        validators=[validate_one_line],
    )
    agency = models.ForeignKey(
        "registry.Agency",
        verbose_name=_("agency in the registry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Its page in the directory, which lists its official channels."),
    )
    address = models.CharField(
        _("address"), max_length=500, blank=True, validators=[validate_one_line]
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True, validators=[validate_one_line])
    email = models.EmailField(_("email"), blank=True, validators=[validate_one_line])
    website = models.URLField(
        _("website"), max_length=500, blank=True, validators=[validate_one_line, validate_link_port]
    )
    hours = models.CharField(
        _("working hours"),
        max_length=255,
        blank=True,
        validators=[validate_one_line],
        help_text=_("For example: Monday to Friday, 7:30–11:30 and 13:30–17:00."),
    )
    legal_line = models.TextField(
        _("legal line"),
        blank=True,
        validators=[validate_multi_line],
        help_text=_(
            "The footer's last lines: the governing body, the licence of the information page, "
            "who answers for its content."
        ),
    )
    # Images are kept in the database, so that every web node serves the same ones; they are
    # type-checked and size-capped (portal/images.py) before they are stored.
    emblem = models.BinaryField(_("emblem"), blank=True, default=b"")
    emblem_type = models.CharField(max_length=40, blank=True, editable=False)
    emblem_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    favicon = models.BinaryField(_("site icon"), blank=True, default=b"")
    favicon_type = models.CharField(max_length=40, blank=True, editable=False)
    favicon_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("site identity")
        verbose_name_plural = _("site identity")

    def __str__(self) -> str:
        return self.display_name or str(_("Site identity"))

    @property
    def display_name(self) -> str:
        """The operating agency's name in the active language (Vietnamese when no English)."""
        return _in_language(self.name, self.name_en)

    @property
    def display_site_name(self) -> str:
        return _in_language(self.site_name, self.site_name_en) or "chinhthong"

    @property
    def emblem_url(self) -> str:
        """The emblem's address (it names the image's digest), or "" when there is none."""
        if not self.emblem_sha256:
            return ""
        return reverse("portal:emblem", args=[self.emblem_sha256])

    @property
    def favicon_url(self) -> str:
        """The site icon's address: the uploaded one, else the one shipped with the site."""
        if not self.favicon_sha256:
            return static("chinhthong/favicon.svg")
        return reverse("portal:favicon", args=[self.favicon_sha256])


def _in_language(vietnamese: str, english: str) -> str:
    if english and (get_language() or "").startswith("en"):
        return english
    return vietnamese
