"""Past versions as people read them, for the back office's history pages (django-simple-history
shows stored values: `active`, `None`, `2026-11-20 00:00:00+00:00`)."""

import datetime as dt

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from simple_history.template_utils import HistoricalRecordContextHelper


def readable_value(field: models.Field, value):
    """A stored value of ``field`` as the back office shows it."""
    if value is None or value == "":
        return ""
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        return formats.localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, dt.date):
        return formats.localize(value)
    return value


class ReadableChanges(HistoricalRecordContextHelper):
    """The changes between two versions, each value as readable_value shows it and an empty
    one as "(empty)"."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        shown = value if field.is_relation else readable_value(field, value)
        return gettext("(empty)") if shown in ("", None, []) else shown
