"""Third-party screens of the back office in the reader's language, where the apps write English
outside gettext: django-axes and django-tasks-db name their apps and records in English
("Axes", "Attempted Access: …", "DBTaskResult object (…)"), django-rq calls its dashboard
"Django-RQ", Django names the link between a person and a role "User-group relationship" (the
back office lists it before a person is deleted), and Django's admin describes a yes/no icon to
screen readers as "True" or "False". Applied once, when the accounts app is ready.

Their strings that do go through gettext but lack Vietnamese are in third_party_strings.py.
"""

import contextlib

from django.apps import apps
from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

APP_NAMES = {
    "axes": _("Log-in lock-outs"),
    "django_tasks_database": _("Background tasks"),
    "django_rq": _("Task queue"),
}


def apply() -> None:
    for label, name in APP_NAMES.items():
        with contextlib.suppress(LookupError):  # an app this deployment does not install
            apps.get_app_config(label).verbose_name = name
    admin_list._boolean_icon = boolean_icon
    _name_records()
    _name_links()


def boolean_icon(value) -> str:
    """Django's yes/no/unknown icon, its text in the reader's language."""
    name, text = {
        True: ("yes", gettext("Yes")),
        False: ("no", gettext("No")),
        None: ("unknown", gettext("Unknown")),
    }[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


def _when(moment) -> str:
    return formats.localize(timezone.localtime(moment)) if moment else ""


def _name_records() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessAttempt.__str__ = lambda self: (
        gettext("Log-in attempts of “%(username)s” from %(address)s")
        % {"username": self.username, "address": self.ip_address}
    )
    AccessLog.__str__ = lambda self: (
        gettext("Log-in of “%(username)s” at %(time)s")
        % {
            "username": self.username,
            "time": _when(self.attempt_time),
        }
    )
    AccessFailureLog.__str__ = lambda self: (
        gettext("Failed log-in of “%(username)s” at %(time)s")
        % {"username": self.username, "time": _when(self.attempt_time)}
    )
    with contextlib.suppress(LookupError):
        task_result = apps.get_model("django_tasks_database", "DBTaskResult")
        task_result.__str__ = lambda self: (
            gettext("Task %(name)s (%(id)s)")
            % {
                "name": self.task_path.rsplit(".", 1)[-1],
                "id": str(self.id)[:8],
            }
        )
        task_result.task_name.fget.short_description = _("task")


def _name_links() -> None:
    """The rows that link a person to a role or a permission, and django-rq's dashboard, named
    as people call them (a record's name is a lowercase noun: "Chọn %s để xem")."""
    from django.contrib.auth.models import User

    from chinhthong.accounts import roles

    held = User.groups.through
    held._meta.verbose_name = _("role held")
    held._meta.verbose_name_plural = _("roles held")
    held.__str__ = lambda self: (
        gettext("%(role)s, held by “%(user)s”")
        % {"role": roles.LABELS.get(self.group.name, self.group.name), "user": self.user}
    )
    granted = User.user_permissions.through
    granted._meta.verbose_name = _("permission granted")
    granted._meta.verbose_name_plural = _("permissions granted")
    granted.__str__ = lambda self: (
        gettext("%(permission)s, granted to “%(user)s”")
        % {"permission": gettext(self.permission.name), "user": self.user}
    )
    with contextlib.suppress(LookupError):
        dashboard = apps.get_model("django_rq", "Dashboard")
        dashboard._meta.verbose_name = _("task queue")
        dashboard._meta.verbose_name_plural = _("task queues")
