from django.contrib import admin

from chinhthong.reports.models import Liaison


@admin.register(Liaison)
class LiaisonAdmin(admin.ModelAdmin):
    """Administrators say who speaks for which body: that user sees only its referrals
    (reports/access.py). Only accounts with the police liaison role can be named."""

    list_display = ("user", "recipient")
    list_select_related = ("user", "recipient")
    list_filter = ("recipient",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "recipient__name")
    raw_id_fields = ("user",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "recipient":
            kwargs["queryset"] = db_field.related_model.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
