"""A web push service on loopback, as browser vendors run them (RFC 8030), for tests.

It holds what a browser would: for each subscription a real P-256 key pair and a 16-byte
authentication secret (``Browser``). Every push it receives is checked as a push service and
the browser together would: the VAPID token (RFC 8292) must carry our public key and an ES256
signature that verifies against it, its audience must be this service's origin, its expiry
within a day and its subject a mailto: or https: address; TTL, Urgency and Content-Encoding
must be set; and the body must DECRYPT (RFC 8291, aes128gcm) with the browser's private key —
so a test passing here proves real encryption and signing. Anything wrong is recorded in
``problems`` and answered 400.

Each subscription answers as the test asks: 201 (the default), 410, Apple's 403
(``{"reason": "BadJwtToken"}``), 429 with Retry-After, 500, 413…

    with PushService(vapid.public_key()) as service:
        endpoint, browser = service.subscribe()             # answers 201
        gone, _ = service.subscribe(status=410)
        ... push.subscribe(staff, endpoint=endpoint, **browser.keys())
        service.received[0].payload["title"]
"""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.loopback_http import LoopbackHTTP, reply


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """What a browser makes when it subscribes: a P-256 key pair and an auth secret."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    def keys(self) -> dict:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )


@dataclass
class Answer:
    status: int = 201
    headers: dict = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Received:
    path: str
    headers: dict
    payload: dict
    claims: dict


class PushService:
    def __init__(self, application_server_key: str):
        self.application_server_key = application_server_key
        self.browsers: dict[str, Browser] = {}
        self.answers: dict[str, Answer] = {}
        self.received: list[Received] = []
        self.problems: list[str] = []
        self._lock = threading.Lock()
        self._server = LoopbackHTTP()
        self.origin = self._server.url("")

    def __enter__(self) -> "PushService":
        self._server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._server.__exit__(*exc)

    def subscribe(self, status: int = 201, headers: dict | None = None, body: bytes = b""):
        """A new subscription (endpoint, browser) whose pushes are answered ``status``."""
        with self._lock:
            path = f"/push/{len(self.browsers) + 1}"
            browser = Browser()
            self.browsers[path] = browser
            self.answers[path] = Answer(status, headers or {}, body)
        self._server.route(path, handler=self._receive)
        return self.origin + path, browser

    def answer(self, endpoint: str, status: int, headers: dict | None = None, body: bytes = b""):
        self.answers[endpoint.removeprefix(self.origin)] = Answer(status, headers or {}, body)

    # --- checking a push ---------------------------------------------------------------------
    def check(self, path: str, headers: dict, body: bytes) -> Received:
        browser = self.browsers.get(path)
        if browser is None:
            raise ValueError(f"no subscription at {path}")
        claims = self._check_vapid(headers.get("authorization", ""))
        if not headers.get("ttl", "").isdigit():
            raise ValueError("no TTL header")
        if headers.get("urgency") not in ("very-low", "low", "normal", "high"):
            raise ValueError(f"Urgency {headers.get('urgency')!r}")
        if headers.get("content-encoding") != "aes128gcm":
            raise ValueError("not aes128gcm")
        if len(body) > 4096:
            raise ValueError("payload over 4096 bytes")
        payload = json.loads(browser.decrypt(body))
        return Received(path, headers, payload, claims)

    def _check_vapid(self, authorization: str) -> dict:
        scheme, _space, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"Authorization is not vapid: {authorization[:40]!r}")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        if parts.get("k") != self.application_server_key:
            raise ValueError("signed with another key than the one subscribed with")
        token = parts["t"]
        head, claims_part, signature = token.split(".")
        header = json.loads(unb64url(head))
        if header.get("alg") != "ES256":
            raise ValueError(f"JWT alg {header.get('alg')!r}")
        raw = unb64url(signature)
        if len(raw) != 64:
            raise ValueError("ES256 signature is not 64 bytes")
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
        try:
            public.verify(der, f"{head}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise ValueError("the VAPID signature does not verify") from exc
        claims = json.loads(unb64url(claims_part))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.origin}")
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            raise ValueError("exp not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            raise ValueError(f"sub {claims.get('sub')!r}")
        return claims

    def _receive(self, request, handler) -> None:
        if request.method != "POST":
            reply(handler, 405)
            return
        try:
            received = self.check(request.path, request.headers, request.body)
        except Exception as exc:  # anything wrong is the test's failure
            self.problems.append(f"{request.path}: {exc}")
            reply(handler, 400, str(exc).encode())
            return
        with self._lock:
            self.received.append(received)
            number = len(self.received)
        answer = self.answers[request.path]
        if answer.status == 201:
            answer = Answer(201, {"Location": f"{self.origin}/m/{number}"}, b"")
        reply(handler, answer.status, answer.body, answer.headers)
