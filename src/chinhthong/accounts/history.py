"""Past versions as people read them, for the back office's history pages (django-simple-history
shows stored values: `active`, `None`, `2026-11-20 00:00:00+00:00`, and cuts a long text into
an English-style repr, "sai m[109 chars] mắt")."""

import datetime as dt

from django.db import models
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.translation import gettext
from simple_history.template_utils import HistoricalRecordContextHelper

# A changed value up to this long is shown whole; a longer one as a passage of about this
# length, cut between words, that starts a little before the first difference.
EXCERPT_CHARS = 300
CONTEXT_CHARS = 60
ELLIPSIS = "…"


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


def related_name(field: models.Field, value) -> str:
    """The record a key points to, by its name: simple-history passes the record, or for an
    empty key or a record since deleted a placeholder of its own ("Deleted cơ quan (pk=None)")."""
    if isinstance(value, models.Model):
        return str(value)
    key = getattr(value, "pk", value)
    if key in (None, ""):
        return ""
    related = field.related_model._default_manager.filter(pk=key).first()
    return str(related) if related is not None else gettext("#%(key)s (deleted)") % {"key": key}


def passages(old: str, new: str) -> tuple[str, str]:
    """``old`` and ``new`` as a reader compares them: whole when short, otherwise the passage
    of each around their first difference, cut between words and marked with "…"."""
    if max(len(old), len(new)) <= EXCERPT_CHARS:
        return old, new
    same = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    same = min(len(old), len(new)) if same is None else same
    start = max(0, same - CONTEXT_CHARS)
    return passage(old, start), passage(new, start)


def passage(text: str, start: int) -> str:
    """About EXCERPT_CHARS characters of ``text`` from ``start``, both ends moved to a space
    so that no word is cut, with "…" where something was left out."""
    if len(text) <= EXCERPT_CHARS and start == 0:
        return text
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + CONTEXT_CHARS else start
    end = start + EXCERPT_CHARS
    if end < len(text):
        space = text.rfind(" ", start, end + 1)
        end = space if space > start + EXCERPT_CHARS // 2 else end
    shown = text[start:end].strip()
    before = ELLIPSIS + " " if start > 0 else ""
    after = " " + ELLIPSIS if end < len(text) else ""
    return f"{before}{shown}{after}"


class ReadableChanges(HistoricalRecordContextHelper):
    """The changes between two versions, each value as readable_value shows it, an empty one
    as "(empty)", a long text whole or as the passage where it changed (see passages)."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if field.many_to_one or field.one_to_one:
            shown = related_name(field, value)
        else:
            shown = value if field.is_relation else readable_value(field, value)
        return gettext("(empty)") if shown in ("", None, []) else shown

    def stringify_delta_change_values(self, change, old, new):
        old, new = (
            ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            for value in (old, new)
        )
        old, new = passages(old, new)
        return conditional_escape(old), conditional_escape(new)
