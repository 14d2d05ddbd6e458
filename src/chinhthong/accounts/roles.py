"""The roles of MISSION.md as Django groups, each with the least permissions it needs.

This table is the whole of what each role may do: `chinhthong setup` and `chinhthong accounts
sync-roles` set every group to exactly it, and the back office shows roles without letting
anyone edit their permissions (docs/security.md). Later capabilities (bulletins, reports) add
their permissions here.
"""

from django.utils.translation import gettext_lazy as _

STAFF = "staff"
UNIT_MANAGER = "unit_manager"
EDITOR = "editor"
REPORT_HANDLER = "report_handler"
POLICE_LIAISON = "police_liaison"
ADMINISTRATOR = "administrator"

LABELS = {
    STAFF: _("Staff member"),
    UNIT_MANAGER: _("Unit manager"),
    EDITOR: _("Editor"),
    REPORT_HANDLER: _("Report handler"),
    POLICE_LIAISON: _("Police liaison"),
    ADMINISTRATOR: _("Administrator"),
}

_REGISTRY_MODELS = ("agency", "channel", "sourcedocument", "reportrecipient")
_BLOCKLIST_MODELS = ("blocklistsource", "blocklistentry", "knownsite")
_EDIT = ("add", "change", "delete", "view")

# role -> [(app_label, codename)]
PERMISSIONS = {
    STAFF: [],
    UNIT_MANAGER: [],
    EDITOR: [
        *[("registry", f"{action}_{model}") for model in _REGISTRY_MODELS for action in _EDIT],
        *[("checks", f"{action}_{model}") for model in _BLOCKLIST_MODELS for action in _EDIT],
        # Feed intake: an editor registers channels' feeds (disabling, not deleting, one) and
        # reviews the items they bring; items come from the feeds only.
        *[("bulletins", f"{action}_feedsource") for action in ("add", "change", "view")],
        *[("bulletins", f"{action}_feeditem") for action in ("change", "view")],
        # Bulletins and their files: written, published, corrected; never deleted (a published
        # one is corrected, an unpublished one cancelled).
        *[
            ("bulletins", f"{action}_{model}")
            for model in ("bulletin", "attachment")
            for action in ("add", "change", "view")
        ],
    ],
    REPORT_HANDLER: [("registry", f"view_{model}") for model in _REGISTRY_MODELS],
    POLICE_LIAISON: [("registry", "view_reportrecipient")],
    ADMINISTRATOR: [
        *[("registry", f"{action}_{model}") for model in _REGISTRY_MODELS for action in _EDIT],
        *[("checks", f"{action}_{model}") for model in _BLOCKLIST_MODELS for action in _EDIT],
        # Users and their roles; a role's permissions are this table, never edited on the web.
        *[("auth", f"{action}_user") for action in _EDIT],
        ("auth", "view_group"),
        ("clients", "view_apiclient"),
        ("clients", "change_apiclient"),
        ("axes", "view_accessattempt"),
        ("axes", "delete_accessattempt"),
        ("axes", "view_accesslog"),
        # Task pages: the database queue's results, the RQ dashboard when Redis runs it.
        ("django_tasks_database", "view_dbtaskresult"),
        ("django_rq", "admin"),
        # The site's identity (operating agency, emblem, footer): one record, never added or
        # deleted on the web.
        ("portal", "view_siteidentity"),
        ("portal", "change_siteidentity"),
        # The organisation: units (and their managers) and staff, by hand or imported from
        # files. Never deleted: people who leave are deactivated.
        *[
            ("reach", f"{action}_{model}")
            for model in ("unit", "staffmember")
            for action in ("add", "change", "view")
        ],
        # Deliveries of bulletins, read only: they change by sending, retrying and bounces.
        ("delivery", "view_delivery"),
        # Who speaks for which body cases are referred to (reports/access.py).
        *[("reports", f"{action}_liaison") for action in _EDIT],
    ],
}

# Roles whose work happens in the back office (Django admin).
BACK_OFFICE = {EDITOR, REPORT_HANDLER, ADMINISTRATOR}
