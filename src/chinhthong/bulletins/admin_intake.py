"""The back office of feed intake: the official channels' feeds and pages, and the queue of
items they brought in. An editor reads an item, may tidy its title and summary, then approves
it (a bulletin draft citing its source, to review and publish) or rejects it. Every write goes
through bulletins/intake.py."""

import contextlib

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from chinhthong.accounts.backoffice import BackOfficeAdmin, HistoryAdmin
from chinhthong.bulletins import intake, intake_parsing
from chinhthong.bulletins.models import FeedItem, FeedSource, ItemStatus
from chinhthong.config.refusals import Refused
from chinhthong.registry.models import Channel, ChannelKind, ChannelStatus

# Where a refusal of intake.check_source_address or check_every is shown on the form.
_FIELD_OF = {
    "no_channel": "channel",
    "channel_not_active": "channel",
    "channel_not_website": "channel",
    "invalid_url": "url",
    "not_channel_domain": "url",
    "every_out_of_range": "every_minutes",
}


def _https_by_default(field, **kwargs):
    # Addresses typed without a scheme are read as https, as Django 6 will do by default.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class FeedSourceForm(forms.ModelForm):
    class Meta:
        model = FeedSource
        fields = ("channel", "url", "kind", "every_minutes", "enabled")
        formfield_callback = _https_by_default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "channel" in self.fields:
            self.fields["channel"].queryset = Channel.objects.filter(
                kind=ChannelKind.WEBSITE, status=ChannelStatus.ACTIVE
            ).exclude(host="")
            self.fields["channel"].help_text = _(
                "Only active website channels of the registry; the address must be on the "
                "channel's domain."
            )

    def clean(self):
        cleaned = super().clean()
        checks = (
            ("url", lambda: intake.check_source_address(cleaned.get("channel"), cleaned["url"])),
            ("every_minutes", lambda: intake.check_every(cleaned["every_minutes"])),
        )
        for name, check in checks:
            if cleaned.get(name) is None:
                continue
            try:
                value = check()
            except Refused as exc:
                self.add_error(_FIELD_OF.get(exc.code, name), str(exc))
            else:
                if name == "url":
                    cleaned["url"] = value
        return cleaned


@admin.register(FeedSource)
class FeedSourceAdmin(HistoryAdmin):
    form = FeedSourceForm
    # Addresses typed without a scheme are read as https, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "url",
        "channel",
        "kind",
        "enabled",
        "every_minutes",
        "polled",
        "next_poll",
        "failures_in_a_row",
        "error",
    )
    list_filter = ("enabled", "kind", "channel")
    list_select_related = ("channel",)
    search_fields = ("url",)
    # Written by the polls (bulletins/intake.py): shown, never edited here.
    readonly_fields = ("polled", "next_poll", "failures_in_a_row", "error")
    actions = ["poll_now"]

    @admin.display(description=_("last polled"), ordering="last_polled_at")
    def polled(self, obj):
        return _when(obj.last_polled_at)

    @admin.display(description=_("next poll"), ordering="next_poll_at")
    def next_poll(self, obj):
        return _when(obj.next_poll_at)

    @admin.display(description=_("failures in a row"), ordering="failures")
    def failures_in_a_row(self, obj):
        return obj.failures

    @admin.display(description=_("last error"))
    def error(self, obj):
        return obj.last_error or "—"

    def save_model(self, request, obj, form, change):
        intake.save_source(obj, actor=request.user)

    @admin.action(description=_("Poll now"), permissions=["change"])
    def poll_now(self, request, queryset):
        from chinhthong.bulletins.intake_tasks import poll_due_feeds

        count = intake.poll_soon(queryset)
        transaction.on_commit(poll_due_feeds.enqueue)
        self.message_user(
            request,
            ngettext(
                "%(count)s source will be polled within a minute.",
                "%(count)s sources will be polled within a minute.",
                count,
            )
            % {"count": count},
        )


class FeedItemForm(forms.ModelForm):
    """An editor may reword a waiting item; the words are held to the rules of what feeds
    bring (one line, no HTML, capped)."""

    title = forms.CharField(label=_("Item title"), max_length=intake_parsing.TITLE_MAX)
    summary = forms.CharField(
        label=_("Item summary"),
        max_length=intake_parsing.SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    class Meta:
        model = FeedItem
        fields = ("title", "summary")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status != ItemStatus.PENDING:
            raise forms.ValidationError(_("This item was already reviewed."))
        if "title" in cleaned and not intake_parsing.plain_text(
            cleaned["title"], intake_parsing.TITLE_MAX
        ):
            self.add_error("title", _("An item needs a title."))
        return cleaned


@admin.register(FeedItem)
class FeedItemAdmin(BackOfficeAdmin):
    form = FeedItemForm
    change_form_template = "bulletins/intake/feeditem_change_form.html"
    list_display = ("title_shown", "status", "channels", "first_seen", "published", "reviewer")
    list_filter = ("status", "sources__channel")
    search_fields = ("title",)
    actions = ["approve_selected", "reject_selected"]
    _shown = (
        "link_shown",
        "published",
        "channels",
        "first_seen",
        "status",
        "reviewer",
        "reviewed",
        "bulletin_shown",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sources__channel")

    def get_ordering(self, request):
        # Waiting items first, the oldest first.
        pending_first = Case(
            When(status=ItemStatus.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "first_seen_at", "pk"]

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == ItemStatus.PENDING

    def get_fields(self, request, obj=None):
        words = ("title", "summary") if self._editable(obj) else ("title_shown", "summary_shown")
        return (*words, *self._shown)

    def get_readonly_fields(self, request, obj=None):
        if self._editable(obj):
            return self._shown
        return ("title_shown", "summary_shown", *self._shown)

    @admin.display(description=_("Item title"), ordering="title")
    def title_shown(self, obj):
        return obj.title

    @admin.display(description=_("Item summary"))
    def summary_shown(self, obj):
        return obj.summary or "—"

    @admin.display(description=_("first seen"), ordering="first_seen_at")
    def first_seen(self, obj):
        return _when(obj.first_seen_at)

    @admin.display(description=_("reviewed at"), ordering="reviewed_at")
    def reviewed(self, obj):
        return _when(obj.reviewed_at)

    def has_add_permission(self, request):
        return False  # items come from the feeds only

    @admin.display(description=_("channels"))
    def channels(self, obj):
        return ", ".join(sorted({s.channel.name for s in obj.sources.all()}))

    @admin.display(description=_("reviewed by"))
    def reviewer(self, obj):
        return obj.reviewed_by or "—"

    @admin.display(description=_("link"))
    def link_shown(self, obj):
        if not obj.link:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>',
            obj.link,
            obj.link,
        )

    @admin.display(description=_("bulletin"))
    def bulletin_shown(self, obj):
        if obj.bulletin_id is None:
            return "—"
        url = _bulletin_url(obj.bulletin_id)
        if url is None:
            return str(obj.bulletin)
        return format_html('<a href="{}">{}</a>', url, obj.bulletin)

    def save_model(self, request, obj, form, change):
        if not {"title", "summary"} & set(form.changed_data):
            return
        try:
            intake.edit_item(
                obj,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data.get("summary", ""),
                actor=request.user,
            )
        except Refused as exc:
            self.message_user(request, str(exc), messages.ERROR)

    def response_change(self, request, obj):
        if "_approve" in request.POST or "_reject" in request.POST:
            approve = "_approve" in request.POST
            try:
                done = (intake.approve if approve else intake.reject)(obj, actor=request.user)
            except Refused as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(request.path)
            if approve:
                self._approved_message(request, [done])
                url = _bulletin_url(done.pk)
                if url is not None:
                    return HttpResponseRedirect(url)
            else:
                self.message_user(request, gettext("The item was rejected."))
            return HttpResponseRedirect(reverse("admin:bulletins_feeditem_changelist"))
        return super().response_change(request, obj)

    def _approved_message(self, request, bulletins):
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((_bulletin_url(b.pk) or "#", str(b)) for b in bulletins),
        )
        self.message_user(
            request,
            format_html(
                "{} {}",
                ngettext(
                    "%(count)s bulletin draft made, ready to review and publish:",
                    "%(count)s bulletin drafts made, ready to review and publish:",
                    len(bulletins),
                )
                % {"count": len(bulletins)},
                links,
            ),
        )

    @admin.action(description=_("Approve: make bulletin drafts"), permissions=["change"])
    def approve_selected(self, request, queryset):
        made = []
        for item in queryset.filter(status=ItemStatus.PENDING).order_by("first_seen_at"):
            with contextlib.suppress(Refused):  # reviewed meanwhile: counted below
                made.append(intake.approve(item, actor=request.user))
        if made:
            self._approved_message(request, made)
        self._skipped(request, queryset.count() - len(made))

    @admin.action(description=_("Reject"), permissions=["change"])
    def reject_selected(self, request, queryset):
        done = 0
        for item in queryset.filter(status=ItemStatus.PENDING):
            try:
                intake.reject(item, actor=request.user)
                done += 1
            except Refused:
                pass
        self.message_user(
            request,
            ngettext("%(count)s item rejected.", "%(count)s items rejected.", done)
            % {"count": done},
        )
        self._skipped(request, queryset.count() - done)

    def _skipped(self, request, count):
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)s item was already reviewed and was left as it is.",
                    "%(count)s items were already reviewed and were left as they are.",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )


def _when(value) -> str:
    return formats.localize(localtime(value)) if value else "—"


def _bulletin_url(pk: int) -> str | None:
    """The bulletin's page in the back office, once bulletins are administered there."""
    try:
        return reverse("admin:bulletins_bulletin_change", args=[pk])
    except NoReverseMatch:
        return None
