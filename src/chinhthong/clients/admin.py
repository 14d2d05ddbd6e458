from django.contrib import admin

from chinhthong.clients import api_keys
from chinhthong.clients.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Keys are made with `chinhthong apikey create`, which shows the key once; here a client's
    limit is changed or its key revoked (unticking "active")."""

    list_display = ("name", "key_prefix", "rate", "active", "created_at")
    list_filter = ("active",)
    readonly_fields = ("name", "key_prefix", "created_at")
    fields = ("name", "description", "key_prefix", "rate", "active", "created_at")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        api_keys.forget()
