"""The client's address, one rule for rate limits and login lock-outs.

Behind N trusted reverse proxies (CHINHTHONG_PROXY_COUNT=N), each proxy appends the address it
received from to X-Forwarded-For, so the client is the N-th entry from the right; anything
further left was written by the client and is not trusted. With no proxy, it is the TCP peer.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    return client_address(request.META)


def client_address(environ: dict) -> str:
    """The same from a WSGI environ, for the HTTP server's layer before Django runs."""
    peer = environ.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 (a key, not a bind)
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return _client(peer)
    forwarded = [part.strip() for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    # The last proxy's own peer is REMOTE_ADDR; the client is N-1 entries further left.
    chain = [*forwarded, peer]
    chosen = chain[-proxies - 1] if len(chain) > proxies else chain[0]
    return _client(chosen) if _is_address(chosen) else _client(peer)


def _client(address: str) -> str:
    """One client per IPv4 address, and per IPv6 /64: a single IPv6 host is given a /64 and
    may use any of its 2^64 addresses (RFC 4291, 6177), which made every per-address limit
    one per request."""
    if ":" not in address:
        return address
    try:
        parsed = ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return address
    if parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    if parsed.is_loopback:
        return address
    return str(ipaddress.IPv6Network((parsed, 64), strict=False))


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
