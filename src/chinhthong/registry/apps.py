from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "chinhthong.registry"
    label = "registry"
    verbose_name = _("Registry of official channels")

    def ready(self) -> None:
        from chinhthong.registry import signals

        signals.connect()
