from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    """Who calls the site: programs with API keys, and the limits every public request meets
    (rate limits per client, body sizes per view). Every app uses it; it uses none of them."""

    name = "chinhthong.clients"
    label = "clients"
    verbose_name = _("Programs and limits")
