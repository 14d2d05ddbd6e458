from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReachConfig(AppConfig):
    name = "chinhthong.reach"
    label = "reach"
    verbose_name = _("Staff and reach")
