"""Programs that call the API under their own key and rate limit."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chinhthong.config.rates import EXAMPLES, is_rate
from chinhthong.config.validators import validate_one_line


def validate_rate(value: str) -> None:
    """A rate limit in the one grammar the limiter reads (config/rates.py)."""
    if not is_rate(value):
        raise ValidationError(
            _("“%(rate)s” is not a rate limit; write it as %(examples)s."),
            params={"rate": value, "examples": EXAMPLES},
        )


class ApiClient(models.Model):
    """A program that calls the API with its own key and its own rate limit — a mail gateway
    checking every message. Only a digest of the key is stored; the key is shown once."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    description = models.CharField(
        _("description"), max_length=200, blank=True, validators=[validate_one_line]
    )
    key_prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        default="6000/m",
        validators=[validate_rate],
        help_text=_("Requests per period for this key, e.g. 6000/m or 200/s."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name
