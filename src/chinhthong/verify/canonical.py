"""One canonicaliser per kind of identifier.

Each returns the form that is stored and compared, or raises InvalidIdentifier with a stable
code; the edges (forms, importer, API) turn codes into messages in the user's language.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

import idna


@dataclass
class InvalidIdentifier(ValueError):
    code: str
    value: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.value!r}"


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_FB_USERNAME = re.compile(r"^[A-Za-z0-9.]{5,50}$")
_FB_PAGE_ID = re.compile(r"^[0-9]{5,20}$")
_ANDROID_PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
_IOS_APP_ID = re.compile(r"^(id)?([0-9]{6,12})$")
_ZALO_OA_ID = re.compile(r"^[0-9]{6,25}$")
_HANDLE = re.compile(r"^@?[A-Za-z0-9._-]{2,100}$")
_MAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 .()-]{3,20}$")
FACEBOOK_HOSTS = frozenset(
    {
        "facebook.com",
        "www.facebook.com",
        "m.facebook.com",
        "mbasic.facebook.com",
        "web.facebook.com",
        "touch.facebook.com",
        "business.facebook.com",
        "fb.com",
        "www.fb.com",
    }
)


def _reject_blank_and_spaces(value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidIdentifier("empty", value)
    if any(ch.isspace() for ch in value):
        raise InvalidIdentifier("contains_space", value)
    return value


def canonical_host(value: str) -> str:
    """A DNS host in ASCII lowercase (IDNA/UTS-46), without trailing dot or port."""
    value = _reject_blank_and_spaces(value)
    if "/" in value or "@" in value or ":" in value:
        raise InvalidIdentifier("host_not_bare", value)
    value = value.rstrip(".")
    try:
        ascii_host = idna.encode(value, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidIdentifier("host_invalid", value, {"detail": str(exc)}) from exc
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidIdentifier("host_invalid", value)
    if labels[-1].isdigit():
        raise InvalidIdentifier("host_is_ip", value)
    return ascii_host


def unicode_host(ascii_host: str) -> str:
    """The readable form of a canonical host (xn-- labels decoded), for display."""
    try:
        return idna.decode(ascii_host)
    except idna.IDNAError:
        return ascii_host


def split_url(value: str) -> SplitResult:
    """urlsplit(), with the ValueErrors it raises (a bracketed host that is not an IPv6
    address, a port that is not a number from 0 to 65535) as InvalidIdentifier; port 0, which
    no server listens on, is refused with the same code as :99999."""
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise InvalidIdentifier("url_invalid", value) from exc
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidIdentifier("url_port_invalid", value) from exc
    if port == 0:
        raise InvalidIdentifier("url_port_invalid", value)
    return parts


def canonical_url(value: str) -> str:
    """An absolute http(s) URL with its host canonicalised; the rest is kept as written."""
    value = _reject_blank_and_spaces(value)
    parts = split_url(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidIdentifier("url_invalid", value)
    if parts.username or parts.password:
        raise InvalidIdentifier("url_has_credentials", value)
    host = canonical_host(parts.hostname)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return parts._replace(scheme=parts.scheme.lower(), netloc=netloc).geturl()


def host_of_url(url: str) -> str:
    return canonical_host(urlsplit(canonical_url(url)).hostname or "")


def facebook_username(value: str) -> str:
    """A Facebook username as written (display form); a facebook.com URL is reduced to it."""
    value = _reject_blank_and_spaces(value)
    if "/" in value:
        value = _facebook_path_head(value)
    if not _FB_USERNAME.match(value) or value.isdigit():
        raise InvalidIdentifier("facebook_username_invalid", value)
    return value


def _facebook_path_head(value: str) -> str:
    url = value if "://" in value else f"https://{value}"
    try:
        parts = split_url(url)
    except InvalidIdentifier as exc:
        raise InvalidIdentifier("facebook_url_invalid", value) from exc
    if (parts.hostname or "").lower() not in FACEBOOK_HOSTS:
        raise InvalidIdentifier("facebook_url_invalid", value)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        raise InvalidIdentifier("facebook_url_invalid", value)
    return segments[0]


def facebook_key(username: str) -> str:
    """The matching key: Facebook ignores case and dots in usernames."""
    return facebook_match_key(facebook_username(username))


def facebook_match_key(valid_username: str) -> str:
    """facebook_key() of a username already validated (as stored in the registry)."""
    return valid_username.replace(".", "").lower()


def facebook_page_id(value: str) -> str:
    value = _reject_blank_and_spaces(value)
    if not _FB_PAGE_ID.match(value):
        raise InvalidIdentifier("facebook_page_id_invalid", value)
    return value


def mail_domain(value: str) -> str:
    return canonical_host(_reject_blank_and_spaces(value).lstrip("@"))


def mail_address(value: str) -> str:
    """local@domain with the domain canonicalised; the local part keeps its case (RFC 5321)."""
    value = _reject_blank_and_spaces(value)
    local, at, domain = value.rpartition("@")
    if not at or not _MAIL_LOCAL.match(local) or local.startswith(".") or ".." in local:
        raise InvalidIdentifier("mail_address_invalid", value)
    return f"{local}@{mail_domain(domain)}"


def phone(value: str) -> str:
    """Vietnamese numbers in E.164 (+84…); short service numbers (113, 1022) and 1800/1900
    numbers kept as digits."""
    value = value.strip()
    if not value or not _PHONE_CHARS.match(value):
        raise InvalidIdentifier("phone_invalid", value)
    digits = re.sub(r"[^0-9]", "", value)
    if value.startswith("+") or (digits.startswith("84") and len(digits) >= 11):
        canonical = f"+{digits}"
    elif digits.startswith("0") and len(digits) in (10, 11):
        canonical = f"+84{digits[1:]}"
    elif 3 <= len(digits) <= 6 and not digits.startswith("0"):
        canonical = digits
    elif digits.startswith(("1800", "1900")) and len(digits) in (8, 10):
        canonical = digits  # nationwide service numbers: 1800 free of charge, 1900 charged
    else:
        raise InvalidIdentifier("phone_invalid", value)
    if canonical.startswith("+") and not 8 <= len(canonical) - 1 <= 15:
        raise InvalidIdentifier("phone_invalid", value)
    return canonical


def android_package(value: str) -> str:
    value = _reject_blank_and_spaces(value)
    if not _ANDROID_PACKAGE.match(value):
        raise InvalidIdentifier("android_package_invalid", value)
    return value


def ios_app_id(value: str) -> str:
    """The numeric App Store id ("id123456789" or "123456789" -> "123456789")."""
    match = _IOS_APP_ID.match(_reject_blank_and_spaces(value).lower())
    if not match:
        raise InvalidIdentifier("ios_app_id_invalid", value)
    return match.group(2)


def zalo_oa_id(value: str) -> str:
    value = _reject_blank_and_spaces(value)
    if not _ZALO_OA_ID.match(value):
        raise InvalidIdentifier("zalo_oa_id_invalid", value)
    return value


def handle(value: str) -> str:
    """A YouTube or TikTok handle, stored lowercase without the leading @."""
    value = _reject_blank_and_spaces(value)
    if not _HANDLE.match(value):
        raise InvalidIdentifier("handle_invalid", value)
    return value.lstrip("@").lower()


def handle_match_key(valid_handle: str) -> str:
    """A canonical handle as look-alikes are compared: without the dots, underscores and
    hyphens that make @quang.ninh.tv another account than @quangninhtv."""
    return valid_handle.replace(".", "").replace("_", "").replace("-", "")


# field -> canonicaliser; the field keeps the returned value. The registry validates with it,
# and the engine's index reads snapshots with it.
CANONICALISERS = {
    "host": canonical_host,
    "facebook_username": facebook_username,
    "facebook_page_id": facebook_page_id,
    "zalo_oa_id": zalo_oa_id,
    "android_package": android_package,
    "ios_app_id": ios_app_id,
    "mail_address": mail_address,
    "phone": phone,
    "handle": handle,
}

# kind -> (fields it may use, at least one of which an active channel must have)
FIELDS_BY_KIND = {
    "website": ("host",),
    "facebook_page": ("facebook_username", "facebook_page_id"),
    "zalo_oa": ("zalo_oa_id",),
    "mobile_app": ("android_package", "ios_app_id"),
    "mail_domain": ("host",),
    "mail_address": ("mail_address",),
    "youtube": ("handle",),
    "tiktok": ("handle",),
    "hotline": ("phone",),
}
