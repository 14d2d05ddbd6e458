"""Accounts' own records: the one-time log-in links sent by email (accounts/login_links.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginLink(models.Model):
    """A link that logs its person in once, until it expires. Only the SHA-256 of its secret is
    kept: the database cannot give a working link to anyone who reads it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_links"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("log-in link")
        verbose_name_plural = _("log-in links")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
