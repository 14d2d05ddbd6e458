"""The site's identity in the back office: one record, changed but never added or deleted;
every save gives its reason, and the history shows an image replaced as its type, size and
digest."""

import dataclasses
import hashlib

from django.contrib import admin
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import ModelChange

from chinhthong.accounts.backoffice import ChangeReasonForm, ReasonedHistoryAdmin
from chinhthong.accounts.history import ReadableChanges
from chinhthong.portal import images, services
from chinhthong.portal.forms import SiteIdentityForm
from chinhthong.portal.models import SiteIdentity

IMAGES = (images.EMBLEM, images.FAVICON)


class ReasonedIdentityForm(SiteIdentityForm, ChangeReasonForm):
    """The identity's form with the reason for the change."""


class IdentityChanges(ReadableChanges):
    """The changes between two versions, an image shown as what it is."""

    def prepare_delta_change_value(self, change, value):
        if change.field in IMAGES:
            return image_summary(value, change.field) or gettext("(empty)")
        return super().prepare_delta_change_value(change, value)


def image_summary(value, kind: str) -> str:
    """An image as its history shows it: "PNG 120×120 px, 3,4 KB, SHA-256 3f2a9c0d1b7e…", or ""
    when there is none."""
    data = bytes(value or b"")
    if not data:
        return ""
    params = {"size": filesizeformat(len(data)), "digest": hashlib.sha256(data).hexdigest()[:12]}
    try:
        image = images.check_image(data, kind)
    except images.ImageRejected:  # kept under other rules: its size and digest still tell
        return gettext("%(size)s, SHA-256 %(digest)s…") % params
    return gettext("%(type)s %(width)s×%(height)s px, %(size)s, SHA-256 %(digest)s…") % {
        **params,
        "type": images.FORMATS[image.content_type][0],
        "width": image.width,
        "height": image.height,
    }


@admin.register(SiteIdentity)
class SiteIdentityAdmin(ReasonedHistoryAdmin):
    form = ReasonedIdentityForm
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

    def get_historical_record_context_helper(self, request, historical_record):
        return IdentityChanges(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each version's changes, the images among them: simple-history compares only the
        fields a form edits, and a BinaryField is not one, so a new emblem — which residents
        see on every page — left no trace in the history."""
        previous = None
        for current in historical_records:  # newest first: ``previous`` is the newer
            if previous is not None:
                delta = previous.diff_against(current, foreign_keys_are_objs=foreign_keys_are_objs)
                changes = [*delta.changes, *_image_changes(current, previous)]
                delta = dataclasses.replace(delta, changes=changes)
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def save_model(self, request, obj, form, change) -> None:
        for kind in (images.EMBLEM, images.FAVICON):
            data = form.cleaned_data.get(f"{kind}_file")
            if data:
                services.apply_image(obj, kind, data)
            elif form.cleaned_data.get(f"remove_{kind}"):
                services.apply_image(obj, kind, None)
        super().save_model(request, obj, form, change)


def _image_changes(older, newer) -> list[ModelChange]:
    return [
        ModelChange(kind, getattr(older, kind), getattr(newer, kind))
        for kind in IMAGES
        if getattr(older, f"{kind}_sha256") != getattr(newer, f"{kind}_sha256")
    ]


def _preview(url: str, alt: str) -> str:
    if not url:
        return "—"
    return format_html('<img src="{}" alt="{}" class="identity-preview" height="64">', url, alt)
