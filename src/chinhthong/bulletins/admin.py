"""The editors' back office for bulletins: write a draft and preview it, attach pictures and
PDFs, schedule, publish (after a confirmation), cancel; a published bulletin is shown as it
stands, with its versions, and is corrected — a new signed version — never edited in place.
Every write goes through bulletins/services.py or bulletins/attachments.py."""

from types import SimpleNamespace

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chinhthong.accounts.backoffice import BackOfficeAdmin, HistoryAdmin
from chinhthong.bulletins import attachments, diffs, services
from chinhthong.bulletins.forms import (
    AttachmentAddForm,
    AttachmentChangeForm,
    BulletinForm,
    CorrectionForm,
    ScheduleForm,
    refusal_as_error,
)
from chinhthong.bulletins.models import Attachment, Bulletin, BulletinVersion, Status
from chinhthong.clients.ratelimit import limited
from chinhthong.config.refusals import Refused

UNPUBLISHED = (Status.DRAFT, Status.SCHEDULED)
# What the back office says once an unpublished bulletin is published or cancelled.
DONE = {"publish": _("The bulletin is published."), "cancel": _("The bulletin is cancelled.")}


def _refused(request, exc: Refused, url: str) -> HttpResponseRedirect:
    messages.error(request, exc.message)
    return HttpResponseRedirect(url)


def audience_of(bulletin: Bulletin) -> str:
    if bulletin.whole_province:
        return gettext("the whole province")
    return ", ".join(f"{unit.name} ({unit.code})" for unit in bulletin.audience.all())


def staff_reached(bulletin: Bulletin) -> int:
    """How many active staff the bulletin is for."""
    from chinhthong.reach import organisation
    from chinhthong.reach.models import StaffMember

    if bulletin.whole_province:
        return StaffMember.objects.filter(active=True).count()
    return organisation.staff_in(bulletin.audience.all()).count()


@admin.register(Bulletin)
class BulletinAdmin(HistoryAdmin):
    form = BulletinForm
    list_display = ("headline", "status", "urgency", "when", "version_count")
    list_filter = ("status", "urgency")
    search_fields = ("slug", "versions__title")
    actions = None
    fieldsets = (
        (None, {"fields": ("title", "summary", "body_markdown")}),
        (
            _("Who it is for, how urgent, about what"),
            {"fields": ("urgency", "audience_scope", "units", "tags")},
        ),
        (None, {"fields": ("sources",)}),
    )

    def get_queryset(self, request):
        latest = BulletinVersion.objects.filter(bulletin=OuterRef("pk")).order_by("-number")
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_title=Subquery(latest.values("title")[:1]),
                versions_count=Count("versions", distinct=True),
            )
        )

    @admin.display(description=_("bulletin title"), ordering="latest_title")
    def headline(self, obj: Bulletin) -> str:
        return obj.latest_title

    @admin.display(description=_("published or scheduled for"), ordering="published_at")
    def when(self, obj: Bulletin) -> str:
        moment = obj.published_at or obj.scheduled_for
        return services.local_time(moment) if moment else "—"

    @admin.display(description=_("versions"), ordering="versions_count")
    def version_count(self, obj: Bulletin) -> int:
        return obj.versions_count

    def has_delete_permission(self, request, obj=None) -> bool:
        # A published bulletin stays on record (it is corrected); an unpublished one is
        # cancelled.
        return False

    # --- the draft's form: written through the services -------------------------------------
    def save_model(self, request, obj, form, change) -> None:
        if change:
            saved = services.update_draft(obj, form.draft, actor=request.user)
        else:
            saved = services.create_draft(form.draft, actor=request.user)
        for field in Bulletin._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def save_related(self, request, form, formsets, change) -> None:
        """Who the bulletin is for was set by the service."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as exc:  # the bulletin changed since the form was shown
            return _refused(request, exc, request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if (
            obj is not None
            and obj.status not in UNPUBLISHED
            and self.has_view_or_change_permission(request, obj)
        ):
            if request.method == "POST":
                return _refused(
                    request, Refused(gettext("A published bulletin is corrected.")), request.path
                )
            return self._page(request, "published.html", obj, self._published_context(obj))
        extra = {**(extra_context or {}), **self._draft_context(obj)} if obj else extra_context
        return super().change_view(request, object_id, form_url, extra)

    def response_add(self, request, obj, post_url_continue=None):
        if "_preview" in request.POST:
            return HttpResponseRedirect(self._url("preview", obj))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_preview" in request.POST:
            return HttpResponseRedirect(self._url("preview", obj))
        return super().response_change(request, obj)

    def revert_disabled(self, request, obj=None) -> bool:
        current = Bulletin.objects.filter(pk=getattr(obj, "pk", None)).first()
        unpublished = current is not None and current.status in UNPUBLISHED
        return not unpublished or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and str(object_id).isdigit():
            current = Bulletin.objects.filter(pk=int(object_id)).first()
            if current is not None and current.status not in UNPUBLISHED:
                raise PermissionDenied  # a published bulletin is corrected, not reverted
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except Refused as exc:
            return _refused(request, exc, request.get_full_path())

    # --- pages of their own -----------------------------------------------------------------
    def get_urls(self):
        def own(route: str, view, name: str):
            return path(route, self.admin_site.admin_view(view), name=f"bulletins_bulletin_{name}")

        return [
            own("<int:object_id>/preview/", self.preview_view, "preview"),
            own("<int:object_id>/publish/", self.publish_view, "publish"),
            own("<int:object_id>/schedule/", self.schedule_view, "schedule"),
            own("<int:object_id>/cancel/", self.cancel_view, "cancel"),
            own("<int:object_id>/correct/", self.correct_view, "correct"),
            own("<int:object_id>/versions/<int:number>/", self.version_view, "version"),
            *super().get_urls(),
        ]

    def _url(self, name: str, obj, *args) -> str:
        return reverse(f"admin:bulletins_bulletin_{name}", args=[obj.pk, *args])

    def _bulletin(self, request, object_id: int, *, change: bool = False) -> Bulletin:
        allowed = (
            self.has_change_permission(request)
            if change
            else self.has_view_or_change_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        obj = self.get_object(request, str(object_id)) if 0 < object_id < 2**63 else None
        if obj is None:
            raise Http404
        return obj

    def _unpublished(
        self, request, object_id: int
    ) -> tuple[Bulletin, str, HttpResponseRedirect | None]:
        """A bulletin to publish, schedule or cancel, the address of its page, and where to
        send the editor instead when it is published or cancelled already."""
        bulletin = self._bulletin(request, object_id, change=True)
        back = reverse("admin:bulletins_bulletin_change", args=[bulletin.pk])
        if bulletin.status in UNPUBLISHED:
            return bulletin, back, None
        refusal = Refused(gettext("This bulletin is published or cancelled already."))
        return bulletin, back, _refused(request, refusal, back)

    def _page(self, request, template: str, obj: Bulletin, context: dict) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/bulletins/bulletin/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": obj,
                "title": str(obj),
                "has_change_permission": self.has_change_permission(request, obj),
                "audience": audience_of(obj),
                **context,
            },
        )

    def _draft_context(self, obj: Bulletin) -> dict:
        files = list(obj.attachments.defer("data").order_by("pk"))
        return {
            "files": [
                (
                    f,
                    services.attachment_url(f),
                    _snippet(f),
                    attachments.FORMATS[f.content_type][0],
                    attachments.size_label(f.size),
                )
                for f in files
            ]
        }

    def _published_context(self, obj: Bulletin) -> dict:
        versions = list(obj.versions.select_related("created_by").order_by("-number"))
        return {"versions": versions, "latest": versions[0], **self._draft_context(obj)}

    def preview_view(self, request, object_id: int):
        bulletin = self._bulletin(request, object_id)
        version = bulletin.latest_version
        rendered = services.render_body(bulletin, version.body_markdown)
        return self._page(
            request,
            "preview.html",
            bulletin,
            {"version": version, "body": rendered.html, "problems": rendered.problems},
        )

    def publish_view(self, request, object_id: int):
        return self._confirmed(
            request, object_id, "publish", services.publish, reached=staff_reached
        )

    def cancel_view(self, request, object_id: int):
        return self._confirmed(request, object_id, "cancel", services.cancel)

    def _confirmed(self, request, object_id: int, action: str, act, reached=None):
        """A page asking to confirm ``action`` on an unpublished bulletin; the POST does it."""
        bulletin, back, elsewhere = self._unpublished(request, object_id)
        if elsewhere is not None:
            return elsewhere
        if request.method == "POST":
            try:
                act(bulletin, actor=request.user)
            except Refused as exc:
                return _refused(request, exc, back)
            messages.success(request, DONE[action])
            return HttpResponseRedirect(back)
        context = {"action": action, "back": back}
        if reached is not None:
            context["reached"] = reached(bulletin)
        return self._page(request, "confirm.html", bulletin, context)

    def schedule_view(self, request, object_id: int):
        bulletin, back, elsewhere = self._unpublished(request, object_id)
        if elsewhere is not None:
            return elsewhere
        form = ScheduleForm(request.POST or None, initial={"when": bulletin.scheduled_for})
        if request.method == "POST" and form.is_valid():
            try:
                services.schedule(bulletin, form.cleaned_data["when"], actor=request.user)
            except Refused as exc:
                refusal_as_error(form, exc)
            else:
                messages.success(request, gettext("The bulletin is scheduled."))
                return HttpResponseRedirect(back)
        return self._page(
            request,
            "schedule.html",
            bulletin,
            {"form": form, "back": back, "media": self.media + form.media},
        )

    def correct_view(self, request, object_id: int):
        bulletin = self._bulletin(request, object_id, change=True)
        back = reverse("admin:bulletins_bulletin_change", args=[bulletin.pk])
        if bulletin.status != Status.PUBLISHED:
            refusal = Refused(gettext("Only a published bulletin is corrected."))
            return _refused(request, refusal, back)
        form = CorrectionForm(bulletin, request.POST or None)
        context = {"form": form, "back": back, "files": self._draft_context(bulletin)["files"]}
        if request.method == "POST" and form.is_valid():
            if "_preview" in request.POST:
                return self._page(
                    request, "correct.html", bulletin, {**context, **self._proposal(form)}
                )
            try:
                version = services.correct(
                    bulletin,
                    form.draft(),
                    actor=request.user,
                    significant=form.cleaned_data["significant"],
                    change_note=form.cleaned_data["change_note"],
                )
            except Refused as exc:
                refusal_as_error(form, exc)
            else:
                messages.success(request, gettext("The correction is published."))
                return HttpResponseRedirect(self._url("version", bulletin, version.number))
        return self._page(request, "correct.html", bulletin, context)

    def _proposal(self, form: CorrectionForm) -> dict:
        draft = form.draft()
        body = services.render_body(form.bulletin, draft.body_markdown).html
        proposed = SimpleNamespace(
            title=draft.title, summary=draft.summary, body_html=body, sources=draft.sources
        )
        return {"preview": body, "changes": diffs.version_changes(form.latest, proposed)}

    def version_view(self, request, object_id: int, number: int):
        bulletin = self._bulletin(request, object_id)
        found = {v.number: v for v in bulletin.versions.select_related("created_by")}
        if number not in found:
            raise Http404
        version, before = found[number], found.get(number - 1)
        changes = diffs.version_changes(before, version) if before else None
        return self._page(
            request,
            "version.html",
            bulletin,
            {"version": version, "changes": changes, "count": len(found)},
        )


def _snippet(attachment: Attachment) -> str:
    """What an editor writes in the body to show or link the file."""
    if attachment.content_type in attachments.IMAGES:
        text = gettext("what the picture shows")
        return f"![{text}]({attachment.name})"
    text = gettext("download the document")
    return f"[{text}]({attachment.name})"


@admin.register(Attachment)
class AttachmentAdmin(BackOfficeAdmin):
    list_display = ("name", "of_bulletin", "kind", "size_shown", "digest", "added")
    list_select_related = ("bulletin",)
    search_fields = ("name", "bulletin__slug", "sha256")
    actions = None
    INFO = ("of_bulletin", "kind", "size_shown", "sha256", "added", "file_link")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    @admin.display(description=_("bulletin"), ordering="bulletin")
    def of_bulletin(self, obj: Attachment) -> str:
        url = reverse("admin:bulletins_bulletin_change", args=[obj.bulletin_id])
        return format_html('<a href="{}">{}</a>', url, obj.bulletin)

    @admin.display(description=_("attached at"), ordering="created_at")
    def added(self, obj: Attachment) -> str:
        return services.local_time(obj.created_at)

    @admin.display(description=_("type"), ordering="content_type")
    def kind(self, obj: Attachment) -> str:
        return attachments.FORMATS.get(obj.content_type, (obj.content_type,))[0]

    @admin.display(description=_("size"), ordering="size")
    def size_shown(self, obj: Attachment) -> str:
        return attachments.size_label(obj.size)

    @admin.display(description=_("SHA-256"))
    def digest(self, obj: Attachment) -> str:
        return f"{obj.sha256[:12]}…"

    @admin.display(description=_("file"))
    def file_link(self, obj: Attachment) -> str:
        return format_html('<a href="{}">{}</a>', services.attachment_url(obj), obj.name)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AttachmentChangeForm if obj is not None else AttachmentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", *self.INFO] if obj is not None else ["bulletin", "file"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        renamable = obj.bulletin.status in UNPUBLISHED
        return list(self.INFO) if renamable else ["name", *self.INFO]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a published version may show it; files stay with their bulletin

    def save_model(self, request, obj, form, change) -> None:
        if change:
            saved = attachments.rename_attachment(obj, obj.name, actor=request.user)
        else:
            saved = attachments.add_attachment(
                form.cleaned_data["bulletin"],
                name=form.cleaned_data["file"].name,
                data=form.data_bytes,
                actor=request.user,
            )
        for field in Attachment._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as exc:
            return _refused(request, exc, request.get_full_path())

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(request, gettext("Attached: %(name)s") % {"name": obj.name})
        return HttpResponseRedirect(
            reverse("admin:bulletins_bulletin_change", args=[obj.bulletin_id])
        )

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:  # the upload may be as large as the largest file, and the form
            if getattr(pattern, "name", None) == "bulletins_attachment_add":
                limited("backoffice", max_body=attachments.cap() + 256 * 1024)(pattern.callback)
        return urls


from chinhthong.bulletins import admin_intake  # noqa: E402, F401
