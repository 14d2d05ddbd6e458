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
)
