from django import template

from chinhthong.reports import labels

register = template.Library()
register.filter("custody_action", labels.action)
register.filter("custody_actor", labels.actor)
register.filter("link_verdict", labels.link_verdict)
register.filter("platform_name", labels.platform)
register.filter("state_label", labels.state)
register.filter("verdict_label", labels.verdict)
