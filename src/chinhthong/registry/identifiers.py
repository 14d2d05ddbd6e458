"""Which identifiers each kind of channel uses, their canonical forms, and the messages that
explain a bad one. Shared by the admin form, the importer and the API."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chinhthong.config import validators
from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier

CANONICALISERS = canonical.CANONICALISERS
IDENTIFIER_FIELDS = tuple(CANONICALISERS)

# Unique across all channels whatever their kind; host and handle are unique per kind
# (quangninh.gov.vn is both a website and a mail domain).
GLOBALLY_UNIQUE = (
    "facebook_key",
    "facebook_page_id",
    "zalo_oa_id",
    "android_package",
    "ios_app_id",
    "mail_address",
    "phone",
)

FIELDS_BY_KIND = canonical.FIELDS_BY_KIND

TAKEN = _("Another channel in the registry already uses this identifier.")

MESSAGES = {
    "empty": _("This value is empty."),
    "contains_space": _("“%(value)s” contains spaces; an address or identifier cannot."),
    "host_not_bare": _(
        "“%(value)s” is not a bare domain: write it without scheme, path, port or @."
    ),
    "host_invalid": _("“%(value)s” is not a valid domain name."),
    "host_is_ip": _("“%(value)s” is an IP address, not a domain name."),
    "url_invalid": _("“%(value)s” is not a valid http(s) link."),
    "url_port_invalid": validators.PORT_OUT_OF_RANGE,
    "url_has_credentials": _(
        "“%(value)s” carries a user name or password; official links never do."
    ),
    "facebook_username_invalid": _(
        "“%(value)s” is not a Facebook username (5 to 50 letters, digits or dots)."
    ),
    "facebook_url_invalid": _("“%(value)s” is not a link to a Facebook page."),
    "facebook_page_id_invalid": _("“%(value)s” is not a numeric Facebook page id."),
    "zalo_oa_id_invalid": _("“%(value)s” is not a numeric Zalo official account id."),
    "android_package_invalid": _("“%(value)s” is not an Android package name (like vn.gov.app)."),
    "ios_app_id_invalid": _("“%(value)s” is not an App Store id (like id1234567890)."),
    "mail_address_invalid": _("“%(value)s” is not a mail address."),
    "phone_invalid": _("“%(value)s” is not a Vietnamese phone number or a short service number."),
    "handle_invalid": _("“%(value)s” is not a valid handle."),
}


def message_for(error: InvalidIdentifier) -> str:
    template = MESSAGES.get(error.code, _("“%(value)s” is not valid."))
    return str(template) % {"value": error.value}


def clean_channel(channel) -> None:
    """Canonicalise a channel's identifiers in place; raise ValidationError per field."""
    errors: dict[str, list[str]] = {}
    _derive_from_url(channel, errors)
    used = FIELDS_BY_KIND.get(channel.kind, ())
    for field in IDENTIFIER_FIELDS:
        value = (getattr(channel, field) or "").strip()
        setattr(channel, field, value)
        if not value or validators.forbidden_character(value):
            continue  # a control character is reported by the field's own validator
        if field not in used:
            errors.setdefault(field, []).append(
                str(_("A channel of kind “%(kind)s” does not use this identifier."))
                % {"kind": channel.get_kind_display()}
            )
            continue
        try:
            setattr(channel, field, CANONICALISERS[field](value))
        except InvalidIdentifier as exc:
            errors.setdefault(field, []).append(message_for(exc))
    if channel.status == "active" and used and not any(getattr(channel, f) for f in used):
        errors.setdefault(used[0], []).append(
            str(
                _(
                    "An active channel needs this identifier; "
                    "keep it pending review until it is known."
                )
            )
        )
    if channel.valid_from and channel.valid_to and channel.valid_to < channel.valid_from:
        errors.setdefault("valid_to", []).append(str(_("The end date is before the start date.")))
    if errors:
        raise ValidationError(errors)


def _derive_from_url(channel, errors: dict[str, list[str]]) -> None:
    """Fill the main identifier from the link when it was left empty, and check the link."""
    if not channel.url or validators.forbidden_character(channel.url):
        return
    try:
        channel.url = canonical.canonical_url(channel.url)
        if channel.kind == "website" and not channel.host:
            channel.host = canonical.host_of_url(channel.url)
        elif channel.kind == "facebook_page" and not channel.facebook_username:
            channel.facebook_username = canonical.facebook_username(channel.url)
    except InvalidIdentifier as exc:
        errors.setdefault("url", []).append(message_for(exc))


def display(channel) -> str:
    """The identifier a person recognises: facebook.com/s4tquangninh, @quangninh.gov.vn."""
    kind = channel.kind
    if kind == "website" and channel.host:
        return canonical.unicode_host(channel.host)
    if kind == "mail_domain" and channel.host:
        return f"@{canonical.unicode_host(channel.host)}"
    if kind == "facebook_page" and (channel.facebook_username or channel.facebook_page_id):
        return f"facebook.com/{channel.facebook_username or channel.facebook_page_id}"
    if kind in ("youtube", "tiktok") and channel.handle:
        return f"@{channel.handle}"
    if kind == "mobile_app":
        return channel.android_package or (f"id{channel.ios_app_id}" if channel.ios_app_id else "")
    for field in FIELDS_BY_KIND.get(kind, ()):
        if getattr(channel, field):
            return getattr(channel, field)
    return channel.identifier_as_printed
