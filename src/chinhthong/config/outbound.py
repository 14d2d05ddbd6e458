"""Every request this site makes to another server goes through ``fetch``: blocklist feeds, the
channels' feeds and pages, evidence capture, the Zalo and web-push clients.

A link someone else chose must not make us reach inside our own network (server-side request
forgery). So, for every hop:
- the host is resolved first, and if any address it answers is loopback, private, link-local
  (the cloud metadata service at 169.254.169.254), shared, reserved or multicast, nothing is
  sent — unless the operator allowed that network (CHINHTHONG_FETCH_ALLOWED_NETWORKS: a mirror
  inside the organisation);
- the connection goes to the address just vetted, never to the name again: a name can answer
  a public address for the check and 127.0.0.1 a moment later (DNS rebinding). The name still
  travels in the Host header and, over TLS, in SNI and the certificate check;
- redirects are followed by hand, each new address vetted the same way, at most
  ``max_redirects`` of them, never from https down to plain http;
- the body is capped in size (counted after decompression) and the whole fetch in time.

Failures raise ``FetchError``, whose message says what happened in the user's language; its
``code`` lets a caller word it its own way. Each answer also carries its ``exchanges``: every
request and answer of the fetch as they went, for whoever keeps them as evidence (WARC).
"""

import datetime as dt
import email.utils
import ipaddress
import json as jsonlib
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlunsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from chinhthong.config.validators import PORT_OUT_OF_RANGE
from chinhthong.verify import canonical

USER_AGENT = "chinhthong"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_SECONDS = 30.0
DEFAULT_IDLE_SECONDS = 30.0
DEFAULT_MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
# IPv6 prefixes that carry an IPv4 address a gateway would reach: judged by that address.
# NAT64 prefixes (RFC 6052, RFC 8215): an address in them reaches the IPv4 address in its last
# 32 bits, judged as that address.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch that did not give an answer: ``code`` says why, ``params`` what it concerns
    (url, host, address, error, limit), ``message`` says it to a person."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Target:
    """Where one request goes: ``url`` as asked, ``pinned_url`` with the vetted address in
    place of the name, and the Host header and TLS name that keep the name."""

    url: str
    scheme: str
    host: str
    port: int
    address: Address
    pinned_url: str
    host_header: str


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, redirects included, as they went over the wire: the headers
    as sent and as received (in their order, names as written), the body as read (decoded of
    its Content-Encoding), when it was sent, and over TLS the subject of the server's
    certificate."""

    url: str
    address: str
    at: dt.datetime
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    http_version: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    tls_subject: str = ""


@dataclass(frozen=True)
class Fetched:
    """An answer: its status, headers and body, the URL it came from after redirects, and the
    address it came from."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str
    address: str
    redirects: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asks us to wait (Retry-After, in seconds or as a date)."""
        return retry_after_seconds(self.headers.get("retry-after", ""))


def retry_after_seconds(value: str, now: dt.datetime | None = None) -> float | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(min(int(value), 10**9))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


# --- vetting an address -----------------------------------------------------------------------
def _allowed_networks() -> list:
    return [ipaddress.ip_network(n, strict=False) for n in settings.FETCH_ALLOWED_NETWORKS]


def _refused(address: Address, allowed: list) -> bool:
    if any(address in network for network in allowed):
        return False
    judged = [address]
    if address.version == 6:
        if address.ipv4_mapped:
            judged.append(address.ipv4_mapped)
        elif any(address in prefix for prefix in _NAT64):
            judged.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        elif address not in _GLOBAL_UNICAST:  # IPv4-compatible, site-local…: never public
            return True
        if address.sixtofour:  # 2002:V4ADDR::/48 reaches the IPv4 address it embeds
            judged.append(address.sixtofour)
    return any(not a.is_global for a in judged)


def public_address(host: str, port: int) -> Address:
    """The address to connect to for ``host``, once every address it resolves to is public
    (or in CHINHTHONG_FETCH_ALLOWED_NETWORKS)."""
    allowed = _allowed_networks()
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError) as exc:  # a NUL, a label IDNA cannot encode
        raise FetchError(
            "unresolvable", _("The host %(host)s does not resolve.") % {"host": host}, host=host
        ) from exc
    if not infos:
        raise FetchError(
            "unresolvable", _("The host %(host)s does not resolve.") % {"host": host}, host=host
        )
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        if _refused(address, allowed):
            raise FetchError(
                "private_address",
                _(
                    "The host %(host)s is a private or local address (%(address)s); nothing "
                    "is fetched from it."
                )
                % {"host": host, "address": address},
                host=host,
                address=str(address),
            )
    return addresses[0]


def vet(url: str) -> Target:
    """Check ``url`` and resolve its host to a public address, without connecting."""
    try:
        parts = canonical.split_url(url)
    except canonical.InvalidIdentifier as exc:
        if exc.code == "url_port_invalid":
            raise FetchError(
                "port_invalid", str(PORT_OUT_OF_RANGE) % {"value": url}, url=url
            ) from exc
        raise _not_http(url) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _not_http(url)
    if parts.username or parts.password:
        raise FetchError(
            "credentials",
            _("The address %(url)s carries a user name or password; it is not fetched.")
            % {"url": url},
            url=url,
        )
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    address = public_address(parts.hostname, port)
    shown = f"[{address}]" if address.version == 6 else str(address)
    pinned = urlunsplit(parts._replace(scheme=scheme, netloc=f"{shown}:{port}"))
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Target(
        url=url,
        scheme=scheme,
        host=parts.hostname,
        port=port,
        address=address,
        pinned_url=pinned,
        host_header=f"{host}:{parts.port}" if parts.port else host,
    )


def _not_http(url: str) -> FetchError:
    return FetchError(
        "invalid_url", _("“%(url)s” is not an http or https link.") % {"url": url}, url=url
    )


# --- fetching ---------------------------------------------------------------------------------
def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: dict | None = None,
    content: bytes | None = None,
    json: object = None,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    seconds: float = DEFAULT_SECONDS,
    idle_seconds: float = DEFAULT_IDLE_SECONDS,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
) -> Fetched:
    """Send one request to ``url`` and read its answer, whatever its status, following at
    most ``max_redirects`` redirects, within ``seconds`` in all and never ``idle_seconds``
    without progress (connecting, sending, receiving). ``etag`` and ``last_modified`` make it
    conditional (an unchanged resource answers 304 with no body)."""
    deadline = time.monotonic() + seconds
    limits = _Limits(max_bytes, deadline, seconds, idle_seconds)
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    if json is not None:
        content = jsonlib.dumps(json, ensure_ascii=False).encode()
        sent.setdefault("Content-Type", "application/json")
    if etag:
        sent["If-None-Match"] = etag
    if last_modified:
        sent["If-Modified-Since"] = last_modified
    redirects: list[str] = []
    exchanges: list[Exchange] = []
    while True:
        target = vet(url)
        answer = _one_request(target, method, sent, content, limits)
        exchanges.append(answer.exchange)
        location = answer.headers.get("location") if answer.status in REDIRECTS else None
        if location is None or max_redirects == 0:
            return Fetched(
                answer.status,
                answer.headers,
                answer.body,
                url,
                str(target.address),
                redirects,
                exchanges,
            )
        if len(redirects) >= max_redirects:
            raise FetchError(
                "too_many_redirects",
                _("%(url)s was redirected more than %(count)s times.")
                % {"url": redirects[0] if redirects else url, "count": max_redirects},
                url=url,
                count=max_redirects,
            )
        next_url = _redirect_target(url, location)
        redirects.append(url)
        if answer.status == 303 or (answer.status in (301, 302) and method == "POST"):
            method, content = ("HEAD" if method == "HEAD" else "GET"), None
            sent = {k: v for k, v in sent.items() if k.lower() != "content-type"}
        if _origin(next_url) != _origin(url):
            sent = {k: v for k, v in sent.items() if k.lower() not in ("authorization", "cookie")}
        url = next_url


def _origin(url: str) -> tuple:
    parts = canonical.split_url(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _redirect_target(url: str, location: str) -> str:
    try:
        next_url = urljoin(url, location.strip())
        parts = canonical.split_url(next_url)
    except (ValueError, canonical.InvalidIdentifier) as exc:
        raise _bad_redirect(url) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _bad_redirect(url)
    if canonical.split_url(url).scheme.lower() == "https" and parts.scheme.lower() == "http":
        raise FetchError(
            "insecure_redirect",
            _("%(url)s redirects from https to plain http; the redirect is not followed.")
            % {"url": url},
            url=url,
        )
    return parts._replace(fragment="").geturl()


def _bad_redirect(url: str) -> FetchError:
    return FetchError(
        "bad_redirect",
        _("%(url)s redirects to an address that is not an http or https link.") % {"url": url},
        url=url,
    )


@dataclass
class _Limits:
    max_bytes: int
    deadline: float
    seconds: float
    idle_seconds: float


@dataclass
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    exchange: Exchange


# Certificate subject attributes by their short names (RFC 4514).
_SUBJECT_NAMES = {
    "commonName": "CN",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "countryName": "C",
    "stateOrProvinceName": "ST",
    "localityName": "L",
}


def _tls_subject(response: httpx.Response) -> str:
    """The subject of the certificate the server showed (already verified), or ""."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    certificate = ssl_object.getpeercert() if ssl_object is not None else None
    subject = (certificate or {}).get("subject", ())
    return ", ".join(
        f"{_SUBJECT_NAMES.get(name, name)}={value}" for rdn in subject for name, value in rdn
    )


def _exchange(target: Target, method, content, response, body, at, tls_subject) -> Exchange:
    def pairs(headers: httpx.Headers) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.raw]

    return Exchange(
        url=target.url,
        address=str(target.address),
        at=at,
        method=method,
        request_headers=pairs(response.request.headers),
        request_body=content or b"",
        http_version=response.http_version,
        status=response.status_code,
        reason=response.reason_phrase,
        headers=pairs(response.headers),
        body=body,
        tls_subject=tls_subject,
    )


def _one_request(target: Target, method, headers, content, limits: _Limits) -> _Answer:
    max_bytes, seconds = limits.max_bytes, limits.seconds
    remaining = limits.deadline - time.monotonic()
    if remaining <= 0:
        raise _too_slow(target.url, seconds)
    timeout = min(remaining, limits.idle_seconds)
    at = dt.datetime.now(dt.UTC)
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream(
                method,
                target.pinned_url,
                headers={**headers, "Host": target.host_header},
                content=content,
                extensions={"sni_hostname": target.host},
            ) as response,
        ):
            tls_subject = _tls_subject(response)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(
                        "too_large",
                        _("The answer from %(url)s is larger than %(limit)s bytes.")
                        % {"url": target.url, "limit": f"{max_bytes:,}"},
                        url=target.url,
                        limit=max_bytes,
                    )
                if time.monotonic() > limits.deadline:
                    raise _too_slow(target.url, seconds)
                chunks.append(chunk)
            body = b"".join(chunks)
            exchange = _exchange(target, method, content, response, body, at, tls_subject)
            return _Answer(response.status_code, response.headers, body, exchange)
    except httpx.TimeoutException as exc:
        if time.monotonic() < limits.deadline:  # stalled, with time left in all
            raise FetchError(
                "too_slow",
                _("%(url)s sent nothing for %(seconds)s seconds.")
                % {"url": target.url, "seconds": f"{timeout:g}"},
                url=target.url,
                seconds=timeout,
            ) from exc
        raise _too_slow(target.url, seconds) from exc
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise FetchError(
            "unreachable",
            _("%(url)s could not be fetched: %(error)s") % {"url": target.url, "error": exc},
            url=target.url,
            error=str(exc),
        ) from exc


def _too_slow(url: str, seconds: float) -> FetchError:
    return FetchError(
        "too_slow",
        _("%(url)s did not answer in full within %(seconds)s seconds.")
        % {"url": url, "seconds": f"{seconds:g}"},
        url=url,
        seconds=seconds,
    )
