from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhthong.accounts.backoffice import BackOfficeAdmin
from chinhthong.checks.blocklists import bump_version
from chinhthong.checks.models import BlocklistEntry, BlocklistSource, KnownSite
from chinhthong.verify import feeds


class BlocklistEntryForm(forms.ModelForm):
    """An entry typed by hand is stored in the canonical form lookups use."""

    class Meta:
        model = BlocklistEntry
        fields = ("source", "value", "expires_at")

    def clean_value(self):
        entry = feeds.entry_for(self.cleaned_data["value"])
        if entry is None:
            raise forms.ValidationError(
                _("This is neither a link (with http:// or https://) nor a domain.")
            )
        self.instance.kind = entry.kind
        return entry.value

    def save(self, commit=True):
        now = timezone.now()
        self.instance.added_at = self.instance.added_at or now
        self.instance.last_seen_at = now
        return super().save(commit)


class ReloadsEngines(BackOfficeAdmin):
    """Every change made here tells the engines to reload the blocklist."""

    # Links typed without a scheme are read as https, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_version()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_version()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bump_version()


@admin.register(BlocklistSource)
class BlocklistSourceAdmin(ReloadsEngines):
    list_display = ("name", "title", "format", "url", "enabled", "last_fetched_at", "last_error")
    list_filter = ("enabled", "format")
    # Written by the fetch task (checks/blocklists.py): shown, never edited here.
    readonly_fields = ("last_fetched_at", "last_error")


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(ReloadsEngines):
    form = BlocklistEntryForm
    list_display = ("value", "kind", "source", "added_at", "last_seen_at", "expires_at")
    # Set from the value, and by the feed's imports: shown, never edited here.
    readonly_fields = ("kind", "added_at", "last_seen_at")
    list_filter = ("source", "kind")
    search_fields = ("=value",)
    show_full_result_count = False  # feeds hold a million rows; counting them all is slow
    list_select_related = ("source",)


class KnownSiteForm(forms.ModelForm):
    """Kept under its registrable domain, never an official one (checks/known_sites.py)."""

    class Meta:
        model = KnownSite
        fields = ("domain", "name", "note")

    def clean_domain(self):
        from chinhthong.checks.known_sites import KnownSiteRejected, registrable_for

        try:
            return registrable_for(self.cleaned_data["domain"])
        except KnownSiteRejected as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(KnownSite)
class KnownSiteAdmin(ReloadsEngines):
    form = KnownSiteForm
    list_display = ("domain", "name", "added_at")
    readonly_fields = ("added_at",)
    search_fields = ("domain", "name")
