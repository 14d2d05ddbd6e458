from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "chinhthong.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from chinhthong.accounts import third_party

        third_party.apply()


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the back office's own site (accounts/backoffice.py)."""

    default = False  # named in INSTALLED_APPS; AccountsConfig stays this module's default
    default_site = "chinhthong.accounts.backoffice.BackOfficeSite"
