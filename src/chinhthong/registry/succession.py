"""Reorganisation as data: an agency may be succeeded by another from a date, by a decision
(in 2025 the provincial Departments of Information and Communications were merged into the
Departments of Science and Technology), or cease with no successor (the district level was
removed). Who owns a channel, or answers for a report recipient, today follows these records;
nothing names a body in code.

One set of rules serves the back office (``Agency.clean``), the importer (on the registry as
the file would leave it), the pages, the API and the published snapshot."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

# A chain longer than this is a loop that slipped past validation (two editors at once).
MAX_STEPS = 100


# --- rules --------------------------------------------------------------------------------
def problems(
    code: str,
    successor: str | None,
    date: dt.date | None,
    decision: str | None,
    successor_of: Callable[[str], str | None],
    name_of: Callable[[str], str] = str,
) -> dict[str, str]:
    """What is wrong with one agency's succession, by field: ``code`` is the agency,
    ``successor`` and ``decision`` are keys (or None), ``successor_of`` answers the successor
    of any other agency as the registry will be."""
    found: dict[str, str] = {}
    if successor and successor == code:
        found["successor"] = _("An agency cannot be its own successor.")
    elif successor:
        loop = _loop(code, successor, successor_of)
        if loop:
            found["successor"] = _(
                "These successions would form a loop: %(chain)s. An agency cannot, directly "
                "or through others, succeed an agency that succeeds it."
            ) % {"chain": " → ".join(name_of(c) for c in loop)}
    if successor and date is None:
        found["succeeded_on"] = _("Enter the date from which the successor takes over.")
    elif decision and date is None:
        found["succeeded_on"] = _("Enter the date from which the succession decision applies.")
    return found


def _loop(code: str, successor: str, successor_of: Callable[[str], str | None]) -> list[str]:
    chain, current = [code, successor], successor_of(successor)
    while current and len(chain) <= MAX_STEPS:
        chain.append(current)
        if current == code:
            return chain
        if current in chain[:-1]:  # a loop further on, not through this agency
            return []
        current = successor_of(current)
    return []


# --- who owns it today ----------------------------------------------------------------------
def today() -> dt.date:
    return timezone.localdate()


def in_effect(agency, on: dt.date) -> bool:
    """Whether ``agency`` had been succeeded (or had ceased) by ``on``."""
    return agency.succeeded_on is not None and agency.succeeded_on <= on


@dataclass(frozen=True)
class Ownership:
    """Who answers for something recorded under ``named`` (the agency its source document
    names), on a date."""

    named: object  # Agency
    current: object  # the agency in charge: ``named`` unless succeeded
    handed_over_by: object | None  # the agency ``current`` took over from (last step), if any
    ceased: bool  # ``current`` has ceased with no successor recorded

    @property
    def changed(self) -> bool:
        return self.current.pk != self.named.pk

    @property
    def succeeded_on(self) -> dt.date | None:
        return self.handed_over_by.succeeded_on if self.handed_over_by else None

    @property
    def decision(self):
        return self.handed_over_by.succession_document if self.handed_over_by else None


def ownership(agency, on: dt.date | None = None) -> Ownership:
    """Follow ``agency``'s successors in effect on ``on`` (today by default)."""
    on = on or today()
    current, previous, seen = agency, None, {agency.pk}
    while current.successor_id and in_effect(current, on):
        following = current.successor
        if following.pk in seen or len(seen) > MAX_STEPS:
            break
        seen.add(following.pk)
        current, previous = following, current
    ceased = current.successor_id is None and in_effect(current, on)
    return Ownership(named=agency, current=current, handed_over_by=previous, ceased=ceased)


def current_owner_codes(agencies: list[dict], on: dt.date) -> dict[str, str]:
    """For a registry document's agency entries: code -> code of the agency in charge on
    ``on``, for every agency that has been succeeded by then."""
    by_code = {a.get("code"): a for a in agencies}

    def step(code: str) -> str | None:
        entry = by_code.get(code) or {}
        date = entry.get("succeeded_on")
        if not entry.get("successor") or not date or dt.date.fromisoformat(str(date)) > on:
            return None
        return entry["successor"]

    owners = {}
    for code in by_code:
        current, seen = code, {code}
        while (following := step(current)) and following not in seen and following in by_code:
            seen.add(following)
            current = following
        if current != code:
            owners[code] = current
    return owners


def publish_current_owners(document: dict, on: dt.date) -> dict:
    """The published form of a registry document: each channel and report recipient names
    the agency in charge on ``on`` as ``agency``, and keeps the agency its source document
    names as ``source_agency`` where the two differ. The verification engine names the
    ``agency`` of a channel in its answers."""
    owners = current_owner_codes(document.get("agencies", []), on)
    for section in ("channels", "report_recipients"):
        for entry in document.get(section, []):
            named = entry.get("agency")
            if named in owners:
                entry["agency"] = owners[named]
                entry["source_agency"] = named
    return document


# --- reading the registry ---------------------------------------------------------------------
def predecessors_in_charge(agency, on: dt.date | None = None) -> list:
    """The agencies whose tasks had passed to ``agency`` by ``on``, directly or through others,
    nearest first."""
    from chinhthong.registry.models import Agency

    on = on or today()
    found, seen, frontier = [], {agency.pk}, [agency.pk]
    while frontier and len(found) < MAX_STEPS:
        step = [
            a
            for a in Agency.objects.filter(successor__in=frontier, succeeded_on__lte=on)
            .select_related("successor", "succession_document")
            .order_by("name")
            if a.pk not in seen
        ]
        seen.update(a.pk for a in step)
        found += step
        frontier = [a.pk for a in step]
    return found


def codes_in_charge_of(code: str, on: dt.date | None = None) -> list[str]:
    """``code`` and the codes of the agencies whose tasks passed to it by ``on``: what a
    search for one agency's channels covers."""
    from chinhthong.registry.models import Agency

    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        return [code]
    return [code, *(a.code for a in predecessors_in_charge(agency, on))]


def recipients_to_contact(on: dt.date | None = None) -> list:
    """The active report recipients, each with ``ownership``: whom to contact today (the
    successor of the agency a recipient belongs to, once that agency was succeeded)."""
    from chinhthong.registry.models import ReportRecipient

    recipients = list(
        ReportRecipient.objects.filter(active=True).select_related(
            "agency", "agency__successor", "agency__succession_document", "source"
        )
    )
    for recipient in recipients:
        recipient.ownership = ownership(recipient.agency, on) if recipient.agency_id else None
    return recipients
