"""Deliveries in the back office: administrators see every row, with its status and reason,
filtered by status, channel, kind and bulletin — read only: rows change only by sending,
retrying (`chinhthong delivery retry`) and bounces. Filtered to one bulletin, the list opens
with the bulletin's counts per channel and status (delivery/queries.py)."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from chinhthong.bulletins.models import Bulletin
from chinhthong.bulletins.models import Status as BulletinStatus
from chinhthong.delivery import queries
from chinhthong.delivery.models import Delivery, Status

BULLETINS_LISTED = 30


class BulletinFilter(admin.SimpleListFilter):
    title = _("bulletin")
    parameter_name = "bulletin"

    def lookups(self, request, model_admin):
        recent = Bulletin.objects.filter(status=BulletinStatus.PUBLISHED).order_by("-published_at")[
            :BULLETINS_LISTED
        ]
        return [(str(b.pk), b.slug) for b in recent]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(bulletin_id=int(value))
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "staff_name",
        "channel",
        "kind",
        "bulletin_slug",
        "status",
        "attempts",
        "short_reason",
        "updated_at",
    )
    list_filter = ("status", "channel", "kind", BulletinFilter)
    search_fields = ("=staff__email", "=key")
    list_select_related = ("staff", "bulletin")
    show_full_result_count = False  # a province's deliveries are counted in millions
    ordering = ("-pk",)
    fields = (
        "staff",
        "channel",
        "kind",
        "key",
        "bulletin",
        "version",
        "status",
        "reason",
        "attempts",
        "next_attempt_at",
        "provider_id",
        "created_at",
        "sent_at",
        "delivered_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("staff member"), ordering="staff__name")
    def staff_name(self, row):
        return row.staff.name

    @admin.display(description=_("bulletin"))
    def bulletin_slug(self, row):
        return row.bulletin.slug if row.bulletin_id else "—"

    @admin.display(description=_("reason"))
    def short_reason(self, row):
        return Truncator(row.reason).chars(80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        chosen = request.GET.get(BulletinFilter.parameter_name, "")
        bulletin = Bulletin.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if bulletin is not None:
            extra_context["summary"] = queries.status_summary(bulletin)
            extra_context["summary_bulletin"] = bulletin
            extra_context["statuses"] = Status.choices
        return super().changelist_view(request, extra_context=extra_context)
