from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatewayConfig(AppConfig):
    name = "chinhthong.gateway"
    verbose_name = _("Mail gateway")
    default_auto_field = "django.db.models.BigAutoField"
