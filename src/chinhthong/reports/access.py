"""Who may see which cases (DESIGN.md, "Access").

Report handlers (and administrators) see every case and the reporters' contacts. A liaison of a
body cases are referred to (the inspectorate, the police) sees only the cases referred to their
body, and never a reporter's identity unless settings.REFERRAL_INCLUDES_CONTACT says so. Anyone
else sees no case. Cases are looked up in a queryset already narrowed to what the user may see,
so a case they may not see and one that does not exist answer alike: NotFound, a 404.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chinhthong.accounts import roles
from chinhthong.config.refusals import NotFound
from chinhthong.reports.models import Case, Liaison


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def has_role(user, role: str) -> bool:
    if not _active(user):
        return False
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return role in names


def is_handler(user) -> bool:
    """Handles reports: triage, decisions, referrals, rebuttals; sees reporters' contacts."""
    return _active(user) and (
        user.is_superuser
        or has_role(user, roles.REPORT_HANDLER)
        or has_role(user, roles.ADMINISTRATOR)
    )


def liaison_body(user):
    """The ReportRecipient the user speaks for, or None."""
    if not _active(user) or not has_role(user, roles.POLICE_LIAISON):
        return None
    link = Liaison.objects.filter(user=user).select_related("recipient").first()
    return link.recipient if link and link.recipient.active else None


def is_liaison(user) -> bool:
    return liaison_body(user) is not None


def cases_for(user) -> QuerySet[Case]:
    if is_handler(user):
        return Case.objects.all()
    body = liaison_body(user)
    if body is not None:
        return Case.objects.filter(referrals__recipient=body).distinct()
    return Case.objects.none()


def case_for(user, number: str) -> Case:
    case = cases_for(user).filter(number=number).first()
    if case is None:
        raise NotFound(_("No such case."), code="no_case")
    return case


def sees_contacts(user) -> bool:
    """Whether the user may see who reported and how to reach them."""
    return is_handler(user)
