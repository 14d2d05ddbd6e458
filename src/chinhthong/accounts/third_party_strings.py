"""Strings of django-simple-history's admin screens, which ships no Vietnamese translation,
and of Django's admin where its Vietnamese catalogue has gaps.

Listing them here lets `make makemessages` carry them into our catalogue, so editors see the
history of a record in Vietnamese. Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

SIMPLE_HISTORY = (
    gettext_noop("Change history: %s"),
    gettext_noop("Changed"),
    gettext_noop("Created"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop("Deleted"),
    gettext_noop("Revert %s"),
    gettext_noop("View %s"),
    gettext_noop("View history: %s"),
    gettext_noop("You may edit it again below"),
    gettext_noop("Change History"),
    gettext_noop("Change reason"),
    gettext_noop("Changed by"),
    gettext_noop("Changes"),
    gettext_noop("Comment"),
    gettext_noop("Date/time"),
    gettext_noop("Object"),
    gettext_noop("Revert"),
    gettext_noop("This object doesn't have a change history."),
)

# The admin asks for this as a plural; Django's Vietnamese catalogue has it only as two singulars.
# The filters' count switch is missing from it.
DJANGO_ADMIN = (
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Skip to main content"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Password-based authentication"),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    gettext_noop("Reset password"),
    gettext_noop("Set password"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
)

# Django 5.2 writes the minimum length as %d; its Vietnamese catalogue still has %(min_length)d,
# so the message an operator meets first, a password too short, came out in English.
PASSWORD_VALIDATION = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        10,
    ),
)

# django-axes (log-in lock-outs) and django-tasks-db (the database queue) ship no Vietnamese.
AXES_AND_TASKS = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
)

SIMPLE_HISTORY_LIST = (
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
)
