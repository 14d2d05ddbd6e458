from django.contrib import admin

from chinhthong.checks.blocklists import bump_version
from chinhthong.checks.models import BlocklistEntry, BlocklistSource


class ReloadsEngines(admin.ModelAdmin):
    """Every change made here tells the engines to reload the blocklist."""

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


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(ReloadsEngines):
    list_display = ("value", "kind", "source", "added_at", "last_seen_at", "expires_at")
    list_filter = ("source", "kind")
    search_fields = ("=value",)
    show_full_result_count = False  # feeds hold a million rows; counting them all is slow
    list_select_related = ("source",)
