"""The editors' back office: the registry in the Django admin, with each record's history."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from chinhthong.accounts.backoffice import ReasonedHistoryAdmin
from chinhthong.registry.models import Agency, Channel, ReportRecipient, SourceDocument


class RegistryAdmin(ReasonedHistoryAdmin):
    """Registry records: every save says why (the history shows the reason)."""

    # Links typed without a scheme are read as https, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SourceDocument)
class SourceDocumentAdmin(RegistryAdmin):
    list_display = ("number", "date", "issuer", "title")
    search_fields = ("number", "issuer", "title")
    date_hierarchy = "date"


@admin.register(Agency)
class AgencyAdmin(RegistryAdmin):
    list_display = ("name", "short_name", "level", "parent", "successor", "succeeded_on")
    list_filter = ("level",)
    search_fields = ("name", "name_en", "short_name", "code", "search_text")
    autocomplete_fields = ("parent", "successor", "succession_document")
    list_select_related = ("parent", "successor")
    prepopulated_fields = {"code": ("short_name",)}


@admin.register(Channel)
class ChannelAdmin(RegistryAdmin):
    list_display = ("name", "kind", "display_identifier", "agency", "status", "last_verified")
    list_filter = ("status", "kind", "agency__level", "verified_badge")
    search_fields = (
        "name",
        "slug",
        "host",
        "facebook_username",
        "mail_address",
        "phone",
        "search_text",
    )
    autocomplete_fields = ("agency", "source")
    list_select_related = ("agency",)
    history_list_display = ("status",)
    fieldsets = (
        (None, {"fields": ("slug", "agency", "kind", "name", "status", "verified_badge")}),
        (
            _("Identifiers"),
            {
                "fields": (
                    "url",
                    "identifier_as_printed",
                    "host",
                    "facebook_username",
                    "facebook_page_id",
                    "zalo_oa_id",
                    "android_package",
                    "ios_app_id",
                    "mail_address",
                    "phone",
                    "handle",
                ),
                "description": _(
                    "Fill in the identifiers the channel's kind uses; "
                    "they are stored in canonical form."
                ),
            },
        ),
        (
            _("Validity and source"),
            {"fields": ("valid_from", "valid_to", "source", "last_verified", "notes")},
        ),
    )

    @admin.display(description=_("identifier"))
    def display_identifier(self, obj: Channel) -> str:
        return obj.display_identifier


@admin.register(ReportRecipient)
class ReportRecipientAdmin(RegistryAdmin):
    list_display = ("name", "kind", "agency", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "code")
    autocomplete_fields = ("agency", "source")
