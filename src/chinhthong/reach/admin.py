"""The organisation in the back office: the tree of units with their managers, the staff on
their rosters, and an import page for each (upload → preview → confirm).

Every write goes through reach/organisation.py and reach/importers.py, as the command line's
does. Nobody deletes a unit or a person here: people who leave are deactivated (the list's
action), and keep their history.
"""

import base64
import hashlib
import secrets
import zlib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from chinhthong.accounts.backoffice import HistoryAdmin
from chinhthong.config.refusals import Refused
from chinhthong.reach import importers, organisation, staff_import
from chinhthong.reach.forms import (
    RosterUploadForm,
    StaffMemberForm,
    StaffRosterUploadForm,
    UnitForm,
)
from chinhthong.reach.models import StaffMember, Unit
from chinhthong.reach.roster_files import MAX_BYTES, RosterRejected
from chinhthong.verify.phones import readable

PREVIEW_ROWS = 1000  # of each kind of change shown before confirming; the rest counted


class RosterImportAdmin(HistoryAdmin):
    """An "Import" page: the file is checked and its changes previewed (or every bad row
    listed); confirming applies the very file previewed. Between the two, its bytes wait in the
    server-side session, compressed, with their SHA-256; the confirmation names that digest,
    and the file is checked again against the roster as it is then."""

    change_list_template = "reach/admin/change_list.html"
    upload_form = RosterUploadForm
    import_title = ""
    columns: tuple = ()  # (name, what it holds)
    columns_help = ""

    def run_import(self, data: bytes, name: str, options: dict, *, dry_run: bool, actor):
        raise NotImplementedError

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        view.max_body = MAX_BYTES + 256 * 1024  # the file and the form around it
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_import"
        return [path("import/", view, name=name), *super().get_urls()]

    def may_import(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra = {"may_import": self.may_import(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def import_view(self, request):
        if not self.may_import(request):
            raise PermissionDenied
        key = f"reach-import-{self.model._meta.model_name}"
        context = {"form": self.upload_form()}
        if request.method == "POST" and "digest" in request.POST:
            done = self._confirm(request, key, context)
            if done is not None:
                return done
        elif request.method == "POST":
            form = self.upload_form(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                self._preview(request, key, form, context)
        return self._render(request, context)

    def _preview(self, request, key: str, form, context: dict) -> None:
        upload = form.cleaned_data["file"]
        data = upload.read(MAX_BYTES + 1)
        options = {k: v for k, v in form.cleaned_data.items() if k != "file"}
        try:
            report = self.run_import(data, upload.name, options, dry_run=True, actor=request.user)
        except RosterRejected as exc:
            context.update(problems=exc.problems, headline=exc.message, file_name=upload.name)
            return
        except Refused as exc:
            context.update(problems=[], headline=exc.message, file_name=upload.name)
            return
        digest = hashlib.sha256(data).hexdigest()
        request.session[key] = {
            "token": secrets.token_urlsafe(16),
            "digest": digest,
            "name": upload.name[-200:],
            "data": base64.b64encode(zlib.compress(data)).decode(),
            "options": options,
        }
        context.update(self._report_context(report), digest=digest, file_name=upload.name)
        context["token"] = request.session[key]["token"]

    def _confirm(self, request, key: str, context: dict):
        pending = request.session.get(key)
        if (
            not pending
            or not secrets.compare_digest(request.POST.get("token", ""), pending["token"])
            or not secrets.compare_digest(request.POST.get("digest", ""), pending["digest"])
        ):
            messages.error(request, gettext("This preview has expired; upload the file again."))
            return None
        data = zlib.decompress(base64.b64decode(pending["data"]))
        if hashlib.sha256(data).hexdigest() != pending["digest"]:
            raise PermissionDenied
        try:
            report = self.run_import(
                data, pending["name"], pending["options"], dry_run=False, actor=request.user
            )
        except RosterRejected as exc:
            context.update(problems=exc.problems, headline=exc.message, file_name=pending["name"])
            return None
        except Refused as exc:
            context.update(problems=[], headline=exc.message, file_name=pending["name"])
            return None
        del request.session[key]
        messages.success(request, _summary(report))
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def _report_context(self, report) -> dict:
        sections = []
        for action, title in (
            ("add", _("To add")),
            ("update", _("To change")),
            ("deactivate", _("To deactivate")),
        ):
            changes = report.of(action)
            if changes:
                sections.append(
                    {
                        "title": title,
                        "action": action,
                        "changes": [_shown(c) for c in changes[:PREVIEW_ROWS]],
                        "more": max(0, len(changes) - PREVIEW_ROWS),
                    }
                )
        return {"report": report, "counts": report.counts(), "sections": sections}

    def _render(self, request, context: dict):
        opts = self.model._meta
        context.update(
            self.admin_site.each_context(request),
            opts=opts,
            title=self.import_title,
            columns=self.columns,
            columns_help=self.columns_help,
            max_mb=MAX_BYTES // 2**20,
        )
        return TemplateResponse(request, "reach/admin/import.html", context)

    def has_delete_permission(self, request, obj=None):
        return False


def _shown(change) -> dict:
    """A change as the preview's row shows it."""
    parts = []
    if change.moved:
        parts.append(
            gettext("moves from %(old)s to %(new)s")
            % {"old": change.old_unit, "new": change.new_unit}
        )
    moved_field = (gettext("unit"), gettext("parent unit")) if change.moved else ()
    parts += [f for f in change.fields if f not in moved_field]
    if change.action == "add" and change.new_unit:
        parts.append(gettext("in %(unit)s") % {"unit": change.new_unit})
    return {"row": change.row, "label": change.label, "key": change.key, "what": ", ".join(parts)}


def _summary(report) -> str:
    counts = report.counts()
    return (
        gettext(
            "Imported: added %(add)s, updated %(update)s (moved %(moved)s), unchanged "
            "%(unchanged)s, deactivated %(deactivate)s."
        )
        % counts
    )


@admin.register(Unit)
class UnitAdmin(RosterImportAdmin):
    form = UnitForm
    list_display = ("indented_name", "code", "staff_count", "manager_names", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "managers")
    ordering = ("path",)
    readonly_fields = ("full_path",)
    fields = ("code", "name", "parent", "full_path", "active", "managers")
    import_title = _("Import units from a file")
    columns = (
        ("code", _("the unit's code, unique")),
        ("name", _("the unit's name")),
        ("parent_code", _("the code of the unit above it; empty for a unit at the top")),
    )
    columns_help = _(
        "Parents may come after their children in the file. A unit already stored (the same "
        "code) is renamed, or moved with the units below it."
    )

    def run_import(self, data, name, options, *, dry_run, actor):
        return importers.import_units(data, name, dry_run=dry_run, actor=actor)

    def get_queryset(self, request):
        active = Count("staff", filter=Q(staff__active=True))
        return super().get_queryset(request).annotate(active_staff=active)

    @admin.display(description=_("unit"), ordering="path")
    def indented_name(self, obj: Unit):
        marker = "└ " if obj.depth else ""
        return format_html(
            '<span style="padding-inline-start: {}em">{}{}</span>', obj.depth * 1.5, marker, obj
        )

    @admin.display(description=_("active staff"), ordering="active_staff")
    def staff_count(self, obj: Unit) -> int:
        return obj.active_staff

    @admin.display(description=_("managers"))
    def manager_names(self, obj: Unit) -> str:
        return ", ".join(u.get_username() for u in obj.managers.all())

    @admin.display(description=_("place in the tree"))
    def full_path(self, obj: Unit) -> str:
        return " / ".join(organisation.unit_path_names(obj)) if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        data, actor = form.cleaned_data, request.user
        if change:
            organisation.update_unit(
                obj,
                code=data["code"],
                name=data["name"],
                parent=data["parent"],
                active=data["active"],
                actor=actor,
            )
        else:
            unit = organisation.create_unit(
                code=data["code"], name=data["name"], parent=data["parent"], actor=actor
            )
            obj.pk, obj.path = unit.pk, unit.path
            if not data["active"]:
                organisation.update_unit(unit, **_unit_fields(unit), active=False, actor=actor)
        # Managers before the form's own save of them, so that their role follows.
        organisation.set_managers(obj, data["managers"], actor=actor)


def _unit_fields(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "parent": unit.parent}


class UnitTreeFilter(admin.SimpleListFilter):
    """Staff of a unit and of the units below it."""

    title = _("unit (with the units below it)")
    parameter_name = "unit_tree"

    def lookups(self, request, model_admin):
        units = Unit.objects.order_by("path").only("pk", "name", "path")
        return [(str(u.pk), "— " * u.depth + u.name) for u in units]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        unit = Unit.objects.filter(pk=int(value)).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)


@admin.register(StaffMember)
class StaffMemberAdmin(RosterImportAdmin):
    form = StaffMemberForm
    upload_form = StaffRosterUploadForm
    list_display = ("name", "unit", "position", "category", "email", "phone_shown", "active")
    list_filter = (UnitTreeFilter, "category", "active")
    list_select_related = ("unit",)
    search_fields = ("name", "email", "phone", "position", "unit__name")
    autocomplete_fields = ("unit",)
    readonly_fields = ("account", "active", "left_at", "moves")
    fields = (
        "name",
        "unit",
        "position",
        "category",
        "email",
        "phone",
        "zalo_id",
        "account",
        "active",
        "left_at",
        "moves",
    )
    actions = ["deactivate_staff"]
    import_title = _("Import staff from a file")
    columns = (
        ("name", _("full name")),
        (
            "unit",
            _(
                "the unit's code, or its full path such as “Tỉnh Quảng Ninh / Thành phố Cẩm "
                "Phả / Phường Cẩm Tây”"
            ),
        ),
        ("position", _("position (may be empty)")),
        ("category", _("CB, CC, VC or NLĐ")),
        ("email", _("email address; also the person's username")),
        ("phone", _("a Vietnamese mobile or landline number, such as 0912 345 678")),
        ("zalo_id", _("Zalo id (may be empty)")),
    )
    columns_help = _(
        "A person is recognised by their email, else their phone number: give at least one. "
        "A person whose unit changes is moved, and the move is kept in their history."
    )

    def run_import(self, data, name, options, *, dry_run, actor):
        return staff_import.import_staff(
            data,
            name,
            dry_run=dry_run,
            deactivate_missing=bool(options.get("deactivate_missing")),
            actor=actor,
        )

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        try:  # "0912 345 678" finds the number stored as +84912345678
            phone = organisation.staff_phone(search_term)
        except organisation.InvalidValue:
            return found, duplicates
        return found | queryset.filter(phone=phone), duplicates

    @admin.display(description=_("phone"), ordering="phone")
    def phone_shown(self, obj: StaffMember) -> str:
        return readable(obj.phone) if obj.phone else ""

    @admin.display(description=_("account"))
    def account(self, obj: StaffMember) -> str:
        if obj.user is None:
            return "—"
        state = "" if obj.user.is_active else " " + gettext("(cannot log in)")
        return obj.user.get_username() + state

    @admin.display(description=_("moves between units"))
    def moves(self, obj: StaffMember):
        if obj.pk is None:
            return "—"
        rows = [
            (
                formats.date_format(timezone.localtime(m.at), "SHORT_DATETIME_FORMAT"),
                m.old_unit,
                m.new_unit,
                m.by or "—",
            )
            for m in organisation.unit_moves(obj)
        ]
        if not rows:
            return gettext("None")
        return format_html_join("", "<div>{}: {} → {} ({})</div>", rows)

    def save_model(self, request, obj, form, change):
        staff = StaffMember.objects.get(pk=obj.pk) if change else obj
        for name in form.cleaned_data:
            setattr(staff, name, form.cleaned_data[name])
        organisation.save_staff(staff, actor=request.user)
        obj.pk = staff.pk

    @admin.action(description=_("Deactivate the chosen people (they left)"), permissions=["change"])
    def deactivate_staff(self, request, queryset):
        count = 0
        for staff in queryset.filter(active=True):
            organisation.deactivate_staff(staff, actor=request.user)
            count += 1
        message = ngettext("%(count)s person deactivated.", "%(count)s people deactivated.", count)
        self.message_user(request, message % {"count": count})
