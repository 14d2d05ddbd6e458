"""A stand-in for the Zalo Official Account platform on loopback, speaking its request and
response shapes, for tests:

- ``POST /v4/oa/access_token`` (OAuth): ``secret_key`` header, form ``app_id``,
  ``grant_type=refresh_token``, ``refresh_token``. A refresh token works once: the answer
  carries a new access token *and a new refresh token*; a spent one is refused
  (``{"error": -14014, "error_name": "Invalid refresh token", …}``);
- ``POST /v3.0/oa/message/cs`` (consultation message): header ``access_token``, JSON
  ``{"recipient": {"user_id"}, "message": {"text"}}`` → ``{"error": 0, "message": "Success",
  "data": {"message_id", "user_id"}}``; an unknown or expired token → ``-216``; a user who
  does not follow the OA → ``-213``, has blocked it → ``-217``, is outside the interaction
  window → ``-230`` (``users``);
- ``POST /message/template`` (ZNS): ``{"phone", "template_id", "template_data",
  "tracking_id"}`` → ``{"error": 0, "data": {"msg_id", "sent_time", "quota"}}``; a bad token
  → ``-124``; a phone without Zalo → ``-118`` (``phones``).

``signed_event`` builds what the OA's webhook receives: the event JSON and the
``X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret)`` header.

    with ZaloStandIn(app_id="123", app_secret="bí-mật") as zalo:
        access, refresh = zalo.issue()
        zalo.users["8000"] = 0          # follows the OA
        ...
        zalo.sent[-1]["text"]
"""

import hashlib
import json
import secrets
import threading
import time
from urllib.parse import parse_qs

from tests.loopback_http import LoopbackHTTP, reply

INVALID_REFRESH = {
    "error": -14014,
    "error_name": "Invalid refresh token",
    "error_reason": "Refresh token is invalid or has been used",
}


class ZaloStandIn:
    def __init__(self, *, app_id: str, app_secret: str, refresh_delay: float = 0.0):
        self.app_id = app_id
        self.app_secret = app_secret
        self.refresh_delay = refresh_delay  # seconds a refresh takes (to let a race happen)
        self.access: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.refresh_tokens: set[str] = set()
        self.spent: set[str] = set()
        self.refresh_calls = 0
        self.users: dict[str, int] = {}  # user id -> error code for a message (0: it goes)
        self.phones: dict[str, int] = {}  # 84… -> error code for ZNS (0: it goes)
        self.sent: list[dict] = []
        self.requests: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        self._server = LoopbackHTTP()
        self.url = self._server.url("")
        self._server.route("/v4/oa/access_token", handler=self._answer(self._refresh, form=True))
        self._server.route("/v3.0/oa/message/cs", handler=self._answer(self._message))
        self._server.route("/message/template", handler=self._answer(self._zns))

    def __enter__(self) -> "ZaloStandIn":
        self._server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._server.__exit__(*exc)

    def issue(self, lifetime: float = 90_000) -> tuple[str, str]:
        """A new pair (access token, refresh token), as the OA's authorisation gives them."""
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with self._lock:
            self.access[access] = time.time() + lifetime
            self.refresh_tokens.add(refresh)
        return access, refresh

    def expire(self, access: str) -> None:
        self.access[access] = 0.0

    # --- the API -----------------------------------------------------------------------------
    def _refresh(self, headers: dict, form: dict) -> dict:
        with self._lock:
            self.refresh_calls += 1
        time.sleep(self.refresh_delay)
        if headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return {"error": -14002, "error_name": "Invalid app secret"}
        if form.get("grant_type") != "refresh_token":
            return {"error": -14003, "error_name": "Invalid grant type"}
        token = form.get("refresh_token", "")
        with self._lock:
            if token not in self.refresh_tokens or token in self.spent:
                return INVALID_REFRESH
            self.spent.add(token)
            self.refresh_tokens.discard(token)
        access, refresh = self.issue()
        return {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}

    def _token_ok(self, headers: dict) -> bool:
        return self.access.get(headers.get("access_token", ""), 0) > time.time()

    def _message(self, headers: dict, body: dict) -> dict:
        if not self._token_ok(headers):
            return {"error": -216, "message": "Access token is invalid"}
        user_id = body.get("recipient", {}).get("user_id", "")
        text = body.get("message", {}).get("text", "")
        code = self.users.get(user_id, -213)
        if code:
            return {"error": code, "message": f"User {user_id} cannot receive this message"}
        message_id = secrets.token_hex(16)
        self.sent.append({"kind": "cs", "to": user_id, "text": text, "id": message_id})
        return {
            "error": 0,
            "message": "Success",
            "data": {"message_id": message_id, "user_id": user_id},
        }

    def _zns(self, headers: dict, body: dict) -> dict:
        if not self._token_ok(headers):
            return {"error": -124, "message": "Access token invalid"}
        phone = body.get("phone", "")
        code = self.phones.get(phone, -118)
        if code:
            return {"error": code, "message": "Zalo account not existed"}
        msg_id = secrets.token_hex(16)
        self.sent.append(
            {
                "kind": "zns",
                "to": phone,
                "template_id": body.get("template_id"),
                "data": body.get("template_data"),
                "tracking_id": body.get("tracking_id"),
                "id": msg_id,
            }
        )
        return {
            "error": 0,
            "message": "Success",
            "data": {
                "msg_id": msg_id,
                "sent_time": str(int(time.time() * 1000)),
                "quota": {"dailyQuota": "500", "remainingQuota": "499"},
            },
        }

    def _answer(self, api, form: bool = False):
        """A route's handler: the request's form or JSON body to ``api``, its answer as JSON."""

        def handler(request, http_handler):
            if form:
                body = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
            else:
                body = json.loads(request.body or b"{}")
            self.requests.append((request.path, body))
            data = json.dumps(api(request.headers, body)).encode()
            reply(http_handler, 200, data, {"Content-Type": "application/json"})

        return handler


def signed_event(
    app_id: str, oa_secret: str, event_name: str, *, timestamp: str | None = None, **fields
) -> tuple[bytes, dict]:
    """The body and headers of one webhook event, signed as Zalo signs them; stamped now
    (milliseconds since the epoch) unless ``timestamp`` is given."""
    timestamp = str(int(time.time() * 1000)) if timestamp is None else timestamp
    event = {"app_id": app_id, "event_name": event_name, "timestamp": timestamp, **fields}
    body = json.dumps(event, ensure_ascii=False).encode()
    mac = hashlib.sha256((app_id + body.decode() + timestamp + oa_secret).encode()).hexdigest()
    return body, {"X-ZEvent-Signature": f"mac={mac}"}


def text_event(app_id, oa_secret, *, user_id: str, text: str, oa_id: str = "4000"):
    """A follower sends the OA a text message."""
    return signed_event(
        app_id,
        oa_secret,
        "user_send_text",
        sender={"id": user_id},
        recipient={"id": oa_id},
        message={"text": text, "msg_id": secrets.token_hex(8)},
        user_id_by_app=secrets.token_hex(8),
    )


def received_event(app_id, oa_secret, *, user_id: str, message_id: str, oa_id: str = "4000"):
    return signed_event(
        app_id,
        oa_secret,
        "user_received_message",
        sender={"id": oa_id},
        recipient={"id": user_id},
        message={"msg_id": message_id},
    )


def seen_event(app_id, oa_secret, *, user_id: str, message_ids: list[str], oa_id: str = "4000"):
    return signed_event(
        app_id,
        oa_secret,
        "user_seen_message",
        sender={"id": oa_id},
        recipient={"id": user_id},
        message={"msg_ids": message_ids},
    )
