"""What the site's header offers the people of the reports loop (reports/access.py)."""

from django import template

from chinhthong.reports import access

register = template.Library()


@register.filter
def handles_reports(user) -> bool:
    return user.is_authenticated and access.is_handler(user)


@register.filter
def speaks_for_a_body(user) -> bool:
    return user.is_authenticated and access.is_liaison(user)
