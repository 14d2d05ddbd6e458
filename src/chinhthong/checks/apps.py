from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "chinhthong.checks"
    label = "checks"
    verbose_name = _("Verification and blocklists")
