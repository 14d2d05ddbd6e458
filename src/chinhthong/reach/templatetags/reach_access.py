"""What the site's header offers a logged-in person of the staff side (reach/access.py)."""

from django import template

from chinhthong.reach import access

register = template.Library()


@register.filter
def sees_dashboards(user) -> bool:
    """A unit manager, or an administrator (who sees every unit's dashboard)."""
    return user.is_authenticated and access.may_see_dashboards(user)
