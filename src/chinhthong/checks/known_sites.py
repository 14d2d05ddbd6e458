"""Sites known not to imitate official channels: the editors' answer to a look-alike verdict
that is wrong (laodong.vn, the newspaper Lao Động, is a letter away from lamdong.gov.vn).
The web back office and the CLI both go through these functions."""

import ipaddress

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chinhthong.checks.blocklists import bump_version
from chinhthong.checks.models import KnownSite
from chinhthong.config.validators import field_problems
from chinhthong.verify import canonical, urls
from chinhthong.verify.domains import DomainNames, readable


class KnownSiteRejected(ValueError):
    """A domain that cannot be a known site, with a message for the user."""


def registrable_for(text: str) -> str:
    """The registrable domain (ASCII) a known-site entry is kept under, checked: never an
    official channel's."""
    registrable = _registrable(text)
    from chinhthong.checks.engines import current_engine

    index = current_engine().index
    if (
        registrable in index.official_registrables
        or index.website_for(registrable)
        or index.mail_domain_for(registrable)
    ):
        raise KnownSiteRejected(
            _("%(domain)s belongs to an official channel; it is already checked as official.")
            % {"domain": readable(registrable)}
        )
    return registrable


def _registrable(text: str) -> str:
    """The registrable domain of a domain or link (a link is read for its host)."""
    text = text.strip()
    try:
        link = urls.parse(text) if "/" in text else None
        host = link.host if link else canonical.canonical_host(text)
    except canonical.InvalidIdentifier:
        host = None
    if not host or (link and link.is_ip) or _is_address(host):
        raise KnownSiteRejected(
            _("“%(value)s” is not a domain name, e.g. laodong.vn.") % {"value": text}
        )
    registrable = DomainNames().registrable(host)
    if registrable is None:
        raise KnownSiteRejected(
            _("“%(value)s” is a public suffix, not one site's domain.") % {"value": text}
        )
    return registrable


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def add(domain: str, name: str, note: str = "") -> KnownSite:
    name, note = name.strip(), note.strip()
    if not name:
        raise KnownSiteRejected(_("Say whose site it is, e.g. Báo Lao Động."))
    registrable = registrable_for(domain)
    try:  # the same checks as the back office's form: lengths, no control characters
        KnownSite(domain=registrable, name=name, note=note).full_clean(validate_unique=False)
    except ValidationError as exc:
        raise KnownSiteRejected(field_problems(exc, KnownSite)) from exc
    with transaction.atomic():
        site, _created = KnownSite.objects.update_or_create(
            domain=registrable, defaults={"name": name, "note": note}
        )
        bump_version()
    return site


def remove(domain: str) -> bool:
    try:
        registrable = _registrable(domain)
    except KnownSiteRejected:
        return False
    with transaction.atomic():
        deleted, _rows = KnownSite.objects.filter(domain=registrable).delete()
        if deleted:
            bump_version()
    return bool(deleted)
