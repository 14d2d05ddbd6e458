from django.contrib import admin

from chinhthong.reports.models import Liaison


@admin.register(Liaison)
class LiaisonAdmin(admin.ModelAdmin):
    """Administrators say who speaks for which body: that user sees only its referrals."""

    list_display = ("user", "recipient")
    list_select_related = ("user", "recipient")
    autocomplete_fields = ()
    search_fields = ("user__username", "recipient__name")
