"""Accounts, roles and task pages in the back office.

Administrators manage people and which roles they hold; what a role may do is the table in
accounts/roles.py and nothing on the web changes it: no one ticks "superuser" or grants a
single permission here (superusers are made from the command line), role groups are shown
read-only, and only superusers change a superuser's account.
"""

from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, Permission, User
from django.http import Http404, HttpResponse
from django.urls import path, re_path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db import admin as tasks_admin
from django_tasks_db.models import DBTaskResult

from chinhthong.accounts import roles, services
from chinhthong.accounts.backoffice import BackOfficeAdmin

admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(AccessAttempt)
admin.site.unregister(DBTaskResult)


class RoleFilter(admin.RelatedFieldListFilter):
    """The list of people filtered by role, each role by its name (Biên tập viên)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("role")

    def field_choices(self, field, request, model_admin):
        groups = Group.objects.filter(name__in=roles.PERMISSIONS).order_by("name")
        return [(group.pk, role_label(group)) for group in groups]


@admin.register(User)
class UserAdmin(BackOfficeAdmin, auth_admin.UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status and roles"), {"fields": ("is_active", "groups", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    filter_horizontal = ("groups",)
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", ("groups", RoleFilter))

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=roles.PERMISSIONS)
            kwargs["help_text"] = _(
                "The roles this person holds; what each role may do is fixed by the system."
            )
            kwargs["label"] = _("Roles")
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = role_label
        return field

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.update_back_office_access(form.instance)


ACTIONS = {"add": _("add"), "change": _("change"), "delete": _("delete"), "view": _("view")}


def permission_label(permission: Permission) -> str:
    """A permission in the reader's language: "Danh mục kênh chính thống › kênh: sửa" where
    Django stored "Can change channel"."""
    action, _sep, _model = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action not in ACTIONS or model is None:
        return gettext(permission.name)
    app = model._meta.app_config.verbose_name
    return f"{app} › {model._meta.verbose_name}: {ACTIONS[action]}"


def role_label(group: Group) -> str:
    """A role as people call it (Biên tập viên), not its code (editor)."""
    return str(roles.LABELS.get(group.name, group.name))


@admin.register(Group)
class RoleAdmin(BackOfficeAdmin):
    """Role groups, read-only: their permissions come from accounts/roles.py."""

    list_display = ("role",)
    change_form_template = "accounts/role_change_form.html"

    @admin.display(description=_("role"))
    def role(self, obj: Group) -> str:
        return role_label(obj)

    fields = ("role", "what_it_may_do")
    readonly_fields = ("role", "what_it_may_do")

    @admin.display(description=_("what it may do"))
    def what_it_may_do(self, obj: Group):
        """Each permission in words (Django stores their names in English: "Can add …")."""
        permissions = obj.permissions.select_related("content_type").order_by(
            "content_type__app_label", "content_type__model", "codename"
        )
        return format_html_join(
            mark_safe("<br>"), "{}", ((permission_label(p),) for p in permissions)
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = role_label(obj)
            context["role_label"] = role_label(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(BackOfficeAdmin, axes_admin.AccessAttemptAdmin):
    """django-axes' lock-outs, its columns and messages in the reader's language."""

    @admin.action(description=_("Clean up expired log-in attempts"), permissions=["delete"])
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)  # the handler reads the time of the request
        count = self.handler.clean_expired_user_attempts(request=request)
        message = ngettext(
            "Cleaned up %(count)s expired log-in attempt.",
            "Cleaned up %(count)s expired log-in attempts.",
            count,
        )
        self.message_user(request, message % {"count": count})

    @admin.display(description=_("status"))
    def status(self, obj: AccessAttempt) -> str:
        left = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left <= 0:
            return gettext("Locked out")
        message = ngettext("%(count)s attempt left", "%(count)s attempts left", left)
        return message % {"count": left}

    @admin.display(description=_("Expires At"))
    def expiration(self, obj: AccessAttempt):
        return super().expiration(obj)


@admin.register(DBTaskResult)
class TaskResultAdmin(BackOfficeAdmin, tasks_admin.DBTaskResultAdmin):
    """django-tasks-db's results, its own column names in the reader's language."""

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)


if settings.TASK_BACKEND == "rq":
    from django_rq.admin import QueueAdmin
    from django_rq.models import Dashboard
    from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns
    from redis.exceptions import RedisError

    @admin.register(Dashboard)
    class TaskQueueAdmin(BackOfficeAdmin, QueueAdmin):
        """django-rq's dashboard, for administrators only (its token-authenticated pages
        answer only a signed-in administrator too)."""

        def has_module_permission(self, request):
            return request.user.has_perm("django_rq.admin")

        def has_view_permission(self, request, obj=None):
            return request.user.has_perm("django_rq.admin")

        def has_change_permission(self, request, obj=None):
            return request.user.has_perm("django_rq.admin")

        def _require_admin(self, request) -> None:
            if not request.user.has_perm("django_rq.admin"):
                raise Http404

        def get_urls(self):
            def wrap(view):
                def checked(request, *args, **kwargs):
                    self._require_admin(request)
                    request.current_app = self.admin_site.name  # django-rq names its URLs so
                    try:
                        return view(request, *args, **kwargs)
                    except RedisError:
                        message = _("The task queue (Redis) does not answer; try again later.")
                        return HttpResponse(message, status=503)

                return self.admin_site.admin_view(checked)

            pages = get_admin_urlpatterns(name_prefix="django_rq_", view_wrapper=wrap)
            # Its JSON statistics, for the signed-in administrator only (no token access).
            pages += [
                re_path(p.pattern.regex.pattern, wrap(p.callback), name=p.name)
                for p in get_api_urlpatterns(name_prefix="django_rq_")
            ]
            # The admin index links the dashboard by its change-list name; no other page of
            # the stock model admin is published (the model has no table).
            index = path("", wrap(self.changelist_view), name="django_rq_dashboard_changelist")
            return [*pages, index]
