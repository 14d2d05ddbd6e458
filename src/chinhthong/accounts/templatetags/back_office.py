"""What the back office's history pages show of a past version: a field's name and its value as
people read them (the label of a choice, a local date, nothing for an empty value), not the
value stored."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from chinhthong.accounts.history import readable_value

register = template.Library()


@register.simple_tag
def history_column(opts, name: str) -> str:
    """The heading of an extra column of the history list: the field's own name."""
    try:
        return capfirst(opts.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return capfirst(name.replace("_", " "))


@register.simple_tag
def history_value(record, name: str):
    """A column's value in one version."""
    try:
        field = record.instance_type._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(record, name, "")
    return readable_value(field, getattr(record, field.attname, None))
