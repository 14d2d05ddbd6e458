"""The site's identity in the back office: one record, changed but never added or deleted."""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chinhthong.accounts.backoffice import HistoryAdmin
from chinhthong.portal import images, services
from chinhthong.portal.forms import SiteIdentityForm
from chinhthong.portal.models import SiteIdentity


@admin.register(SiteIdentity)
class SiteIdentityAdmin(HistoryAdmin):
    form = SiteIdentityForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("__str__", "site_name", "updated_at")
    autocomplete_fields = ("agency",)
    readonly_fields = ("emblem_preview", "favicon_preview")
    actions = None
    fieldsets = (
        (_("Site"), {"fields": ("site_name", "site_name_en")}),
        (
            _("Operating agency"),
            {
                "fields": (
                    "name",
                    "name_en",
                    "agency",
                    "address",
                    "phone",
                    "email",
                    "website",
                    "hours",
                )
            },
        ),
        (
            _("Images"),
            {
                "fields": (
                    "emblem_preview",
                    "emblem_file",
                    "remove_emblem",
                    "favicon_preview",
                    "favicon_file",
                    "remove_favicon",
                )
            },
        ),
        (_("Footer"), {"fields": ("legal_line",)}),
    )

    def has_add_permission(self, request) -> bool:
        return False  # the one record is made by the migration and `chinhthong setup`

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("current emblem"))
    def emblem_preview(self, obj: SiteIdentity) -> str:
        return _preview(obj.emblem_url, obj.display_name)

    @admin.display(description=_("current site icon"))
    def favicon_preview(self, obj: SiteIdentity) -> str:
        return _preview(obj.favicon_url, "")

    def save_model(self, request, obj, form, change) -> None:
        for kind in (images.EMBLEM, images.FAVICON):
            data = form.cleaned_data.get(f"{kind}_file")
            if data:
                services.apply_image(obj, kind, data)
            elif form.cleaned_data.get(f"remove_{kind}"):
                services.apply_image(obj, kind, None)
        super().save_model(request, obj, form, change)


def _preview(url: str, alt: str) -> str:
    if not url:
        return "—"
    return format_html('<img src="{}" alt="{}" class="identity-preview" height="64">', url, alt)
