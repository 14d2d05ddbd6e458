"""The public site's own rules: the deployment's identity (who runs it, shown on every page),
the report recipients residents are sent to, what a search box should check rather than
search, and how a result is shared. The back office, `chinhthong setup` and `chinhthong site`
call these."""

import base64
import hashlib
import json
from importlib import resources
from urllib.parse import urlencode

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from chinhthong.checks.services import MAX_INPUT_CHARS
from chinhthong.portal import images
from chinhthong.portal.models import IDENTITY_PK, SiteIdentity
from chinhthong.registry import succession
from chinhthong.registry.models import Agency, RecipientKind, ReportRecipient
from chinhthong.verify.domains import is_known_suffix
from chinhthong.verify.engine import detect_kind
from chinhthong.verify.urls import SCRIPT_SCHEMES, WEB_SCHEMES, scheme_of

# The fields a default identity file and `chinhthong site set` may give.
TEXT_FIELDS = (
    "site_name",
    "site_name_en",
    "name",
    "name_en",
    "address",
    "phone",
    "email",
    "website",
    "hours",
    "legal_line",
)


# --- identity -------------------------------------------------------------------------------
def identity() -> SiteIdentity:
    """The identity to show: the stored one, or a blank one where none is stored yet (a page
    never writes)."""
    return SiteIdentity.objects.select_related("agency").filter(pk=IDENTITY_PK).first() or (
        SiteIdentity(pk=IDENTITY_PK)
    )


def stored_identity() -> SiteIdentity:
    """The one stored record, created blank when missing."""
    found, _created = SiteIdentity.objects.get_or_create(pk=IDENTITY_PK)
    return found


def is_blank(found: SiteIdentity) -> bool:
    return not any(getattr(found, name) for name in TEXT_FIELDS) and found.agency_id is None


@transaction.atomic
def update_identity(
    *,
    reason: str = "",
    agency_code: str | None = None,
    pictures: dict[str, bytes | None] | None = None,
    **values: str,
) -> SiteIdentity:
    """Set the given fields (names of TEXT_FIELDS; ``agency_code`` a registry agency's code,
    "" for none; ``pictures`` kind -> image bytes, None to remove), all or nothing. Raises
    ValidationError, images.ImageRejected or Agency.DoesNotExist."""
    found = stored_identity()
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"not identity fields: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(found, name, value.strip())
    if agency_code is not None:
        found.agency = Agency.objects.get(code=agency_code) if agency_code else None
    for kind, data in (pictures or {}).items():
        apply_image(found, kind, data)
    found.full_clean()
    found._change_reason = reason or None
    found.save()
    return found


def apply_image(found: SiteIdentity, kind: str, data: bytes | None) -> images.Image | None:
    """Put a checked image (or none, for ``data`` None) into the record, unsaved; raises
    images.ImageRejected when the bytes may not serve as ``kind``."""
    if data is None:
        setattr(found, kind, b"")
        setattr(found, f"{kind}_type", "")
        setattr(found, f"{kind}_sha256", "")
        return None
    image = images.check_image(data, kind)
    setattr(found, kind, data)
    setattr(found, f"{kind}_type", image.content_type)
    setattr(found, f"{kind}_sha256", hashlib.sha256(data).hexdigest())
    return image


def default_identity_text() -> str:
    return (
        resources.files("chinhthong.portal")
        .joinpath("data/default_identity.yaml")
        .read_text("utf-8")
    )


def load_default_identity() -> SiteIdentity | None:
    """Fill a blank identity with the deployment's defaults (the package's data file); an
    identity someone has set is left as it is. The agency is linked when the registry has it,
    and where the registry records it as succeeded, the agency in charge today is named."""
    found = stored_identity()
    if not is_blank(found):
        return None
    document = yaml.safe_load(default_identity_text()) or {}
    values = {name: str(document.get(name) or "") for name in TEXT_FIELDS}
    code = str(document.get("agency") or "")
    agency = Agency.objects.filter(code=code).first() if code else None
    if agency is None:
        code = ""
    else:
        in_charge = succession.ownership(agency)
        if in_charge.changed:
            current = in_charge.current
            code, values["name"], values["name_en"] = current.code, current.name, current.name_en
    return update_identity(reason=_("Defaults set by chinhthong setup"), agency_code=code, **values)


# --- report recipients -----------------------------------------------------------------------
_KIND_ORDER = [
    RecipientKind.INSPECTORATE,
    RecipientKind.POLICE,
    RecipientKind.LOCAL_SECURITY,
    RecipientKind.OTHER,
]


def report_recipients() -> list[ReportRecipient]:
    """The bodies residents report false information to, as letter 1341 lists them: the
    inspectorate first, then the police, then local security forces; each with
    ``ownership``, whom to contact today (the successor of a recipient's agency once that
    agency was succeeded)."""
    ranks = {kind: rank for rank, kind in enumerate(_KIND_ORDER)}
    return sorted(
        succession.recipients_to_contact(),
        key=lambda r: (ranks.get(r.kind, len(_KIND_ORDER)), r.name),
    )


# --- searching and checking ------------------------------------------------------------------
def is_check_input(query: str) -> bool:
    """True when what was typed into a directory search is something to check — a link, a
    domain, a mail address or a phone number — rather than words to look for."""
    text = query.strip()
    if not text or "\n" in text or len(text) > MAX_INPUT_CHARS:
        return False
    kind = detect_kind(text)
    if kind in ("address", "phone") or scheme_of(text) in (*WEB_SCHEMES, *SCRIPT_SCHEMES):
        return True
    if kind not in ("url", "domain"):
        return False
    host = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rstrip(".").lower()
    return is_known_suffix(host)


# --- sharing ---------------------------------------------------------------------------------
def share_links(url: str) -> dict[str, str]:
    """Links that share ``url`` on Zalo and Facebook: plain addresses of their share pages, so
    no script of theirs runs on ours."""
    payload = base64.b64encode(json.dumps({"url": url}).encode()).decode()
    return {
        "zalo": "https://button-share.zalo.me/share_external?"
        + urlencode({"layout": "1", "d": payload, "shareType": "0"}),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
    }
