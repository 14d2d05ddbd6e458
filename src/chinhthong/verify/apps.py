"""Which app or account a link names: store pages of Google Play and the App Store, zalo.me
links, and YouTube and TikTok accounts (@handle)."""

import re
from typing import NamedTuple
from urllib.parse import parse_qs, unquote

from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.urls import Link

_VIDEO_SITES = {
    "youtube.com": ("youtube", "YouTube"),
    "www.youtube.com": ("youtube", "YouTube"),
    "m.youtube.com": ("youtube", "YouTube"),
    "tiktok.com": ("tiktok", "TikTok"),
    "www.tiktok.com": ("tiktok", "TikTok"),
    "m.tiktok.com": ("tiktok", "TikTok"),
}
HOSTS = frozenset(
    {"play.google.com", "apps.apple.com", "itunes.apple.com", "zalo.me", "www.zalo.me"}
    | set(_VIDEO_SITES)
)
_APPLE_ID = re.compile(r"/id(\d{6,12})(?:/|$)")


class AppRef(NamedTuple):
    kind: str  # android_package, ios_app_id, zalo_oa_id (the registry's field), youtube, tiktok
    value: str  # canonical, as the registry stores it
    store: str  # Google Play, App Store, Zalo


def app_of(link: Link) -> AppRef | None:
    host = link.host
    try:
        if host == "play.google.com" and link.pathname.rstrip("/") == "/store/apps/details":
            ids = parse_qs(link.search[1:]).get("id") if link.search else None
            if ids:
                return AppRef("android_package", canonical.android_package(ids[0]), "Google Play")
        elif host in ("apps.apple.com", "itunes.apple.com"):
            match = _APPLE_ID.search(link.pathname)
            if match:
                return AppRef("ios_app_id", canonical.ios_app_id(match.group(1)), "App Store")
        elif host in ("zalo.me", "www.zalo.me"):
            first = link.pathname.strip("/").split("/", 1)[0]
            if first.isdigit():
                return AppRef("zalo_oa_id", canonical.zalo_oa_id(first), "Zalo")
        elif host in _VIDEO_SITES:
            # youtube.com/@handle/videos, tiktok.com/@handle/video/123: the account is the
            # first path segment; other links (a bare video, a search) name no account.
            first = link.pathname.strip("/").split("/", 1)[0]
            if first.startswith("@"):
                kind, site = _VIDEO_SITES[host]
                return AppRef(kind, canonical.handle(unquote(first)), site)
    except InvalidIdentifier:
        return None
    return None
