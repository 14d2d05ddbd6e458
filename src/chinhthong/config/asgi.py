"""The application as the HTTP server (granian, `chinhthong serve`) runs it: Django's WSGI
handler behind a small ASGI layer that receives request bodies without holding a thread.

A WSGI server hands each request to a thread that then waits for the body, so a few clients
sending bodies slowly hold every thread. Here the body is received on the event loop, where a
slow client costs a little memory, and Django runs in a thread only once the body is in memory.
A body over SMALL_BODY, or of unknown length, is first put to the request budget
(clients/budget.py: its declared size against the view's cap, its client against the rate
limit): a refused body is never read, an admitted one is read up to the cap and for at most
settings.BODY_SECONDS. Slow request heads are granian's to end (--http1-header-read-timeout).
One address may have settings.CLIENT_CONCURRENCY requests in progress in a process, and hold
settings.BODY_MEMORY_PER_CLIENT of large bodies: a client opening a thousand slow connections,
or a few dozen of announced 10 MB emails, took every place from everyone else.

asgiref's WsgiToAsgi also reads the body first, but runs every request of a process in one
thread and spools bodies over 64 KB to disk; Django's own ASGI handler moves each request
between threads once per synchronous middleware, which halved the requests served
(bench/http_check.py).
"""

import asyncio
import functools
import io
import json
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhthong.config.settings")

from django.core.handlers.wsgi import WSGIRequest
from django.core.wsgi import get_wsgi_application
from django.urls import Resolver404, resolve, reverse

django_app = get_wsgi_application()  # sets Django up before the models below are imported

from django.conf import settings  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

from chinhthong.clients.budget import ADMITTED, DECIDED, Refusal, admit, body_cap  # noqa: E402
from chinhthong.config.client_ip import client_address  # noqa: E402

SMALL_BODY = 64 * 1024  # read at once: a slow client holds at most this much memory
BUSY_RETRY_SECONDS = 5


class _BodyMemory:
    """Bytes of held-back bodies this process holds or has promised to hold. Many clients
    each sending a 10 MB body slowly would otherwise fill the memory: past the budget, a new
    large body is refused (503, try again in a few seconds) before it is read; past its own
    share, a client is refused (429) so that it cannot take the room of everyone else.
    Touched by the event loop only, so it needs no lock."""

    def __init__(self):
        self.held = 0
        self.by_client: dict[str, int] = {}

    def reserve(self, size: int, client: str | None) -> Refusal:
        """``client``: whose share it counts against; None for a valid API key's holder."""
        mine = self.by_client.get(client, 0) if client is not None else 0
        if client is not None and mine + size > settings.BODY_MEMORY_PER_CLIENT:
            return Refusal(429, BUSY_RETRY_SECONDS)
        if self.held + size > settings.BODY_MEMORY:
            return Refusal(503, BUSY_RETRY_SECONDS)
        self.held += size
        if client is not None:
            self.by_client[client] = mine + size
        return ADMITTED

    def release(self, size: int, client: str | None) -> None:
        self.held -= size
        if client is not None:
            _decrease(self.by_client, client, size)


class _InProgress:
    """Requests in progress per client address in this process, from arrival to answer.
    Touched by the event loop only."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def enter(self, client: str) -> bool:
        count = self.counts.get(client, 0)
        if count >= settings.CLIENT_CONCURRENCY:
            return False
        self.counts[client] = count + 1
        return True

    def leave(self, client: str) -> None:
        _decrease(self.counts, client, 1)


def _decrease(counts: dict[str, int], key: str, amount: int) -> None:
    left = counts[key] - amount
    if left:
        counts[key] = left
    else:
        del counts[key]


_memory = _BodyMemory()
_in_progress = _InProgress()

log = logging.getLogger(__name__)
# Two pools: requests that carry more than HEAVY_BODY (batches of long texts, whole emails)
# run apart, so that however many of them arrive, pages, single checks and /healthz never
# wait behind them — only share the interpreter with them. Few threads each: with the
# interpreter lock, more threads add contention, not speed (bench/http_check.py).
HEAVY_BODY = 8 * 1024
_threads = ThreadPoolExecutor(settings.WEB_THREADS, thread_name_prefix="django")
_heavy_threads = ThreadPoolExecutor(settings.WEB_HEAVY_THREADS, thread_name_prefix="heavy")


async def application(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http":
        await _http(scope, receive, send)


async def _http(scope, receive, send) -> None:
    environ = wsgi_environ(scope)
    client = client_address(environ)
    if not _in_progress.enter(client):
        await _refuse_at_once(environ, send)
        return
    try:
        await _http_admitted(environ, client, receive, send)
    finally:
        _in_progress.leave(client)


async def _http_admitted(environ: dict, client: str, receive, send) -> None:
    length = environ.get("CONTENT_LENGTH", "")
    held_back = "HTTP_TRANSFER_ENCODING" in environ or (
        length != "" and not (length.isdigit() and int(length) <= SMALL_BODY)
    )
    if not held_back:
        await _answer(environ, await _receive_body(receive, SMALL_BODY), send)
        return
    loop = asyncio.get_running_loop()
    decided, cap, has_key = await loop.run_in_executor(_threads, _decide, environ)
    environ[DECIDED] = decided
    if decided is not ADMITTED:
        await _answer(environ, (b"", None), send)
        return
    size = int(length) if length.isdigit() else cap
    holder = None if has_key else client
    room = _memory.reserve(size, holder)
    if room is not ADMITTED:
        await _answer(environ, (b"", room), send)
        return
    try:
        await _answer(environ, await _receive_body(receive, cap), send)
    finally:
        _memory.release(size, holder)


async def _refuse_at_once(environ: dict, send) -> None:
    """429 for a client with too many requests in progress, written here without a thread:
    Django would need one per refusal, and such a client sends many."""
    with translation.override(settings.LANGUAGE_CODE):
        message = gettext(
            "Too many requests from your address are in progress; try again in a few seconds."
        )
    if environ["PATH_INFO"].startswith("/api/"):
        content_type, body = b"application/json", json.dumps({"detail": message}).encode()
    else:
        content_type, body = b"text/plain; charset=utf-8", message.encode()
    headers = [
        (b"content-type", content_type),
        (b"retry-after", str(BUSY_RETRY_SECONDS).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"connection", b"close"),
    ]
    try:
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    except Exception:  # the connection is gone: nothing more to do
        log.debug("client left before its refusal was sent")


async def _answer(environ: dict, received: tuple, send) -> None:
    """Django's answer to the request with the body received (or why it was not taken)."""
    body, refusal = received
    if body is None:  # the client went away before its body was in: logged as such, not 500
        await _answer_gone(send)
        return
    if refusal is not None:  # too slow, more than announced, or no room
        environ[DECIDED] = refusal
    environ["wsgi.input"] = io.BytesIO(body)
    if "CONTENT_LENGTH" not in environ or environ[DECIDED] is not ADMITTED:
        environ["CONTENT_LENGTH"] = str(len(body))
    try:
        loop = asyncio.get_running_loop()
        pool = _heavy_threads if len(body) > HEAVY_BODY or _hashes_password(environ) else _threads
        status, headers, content = await loop.run_in_executor(pool, _run, environ)
    except Exception:  # Django answers its own errors; this is a failure of this layer
        log.exception("request failed outside Django: %s", environ["PATH_INFO"])
        status, headers, content = 500, [(b"content-type", b"text/plain")], b"Server error"
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _answer_gone(send) -> None:
    """granian logs a request left without an answer as a 500 of ours; the client that left
    mid-body is logged with 400 instead (nobody receives it)."""
    try:
        await send({"type": "http.response.start", "status": 400, "headers": []})
        await send({"type": "http.response.body", "body": b""})
    except Exception:  # the connection is gone: nothing more to do
        log.debug("client left before its body was in")


def _hashes_password(environ: dict) -> bool:
    """A log-in, whose password hash costs a sixth of a second of a core: run with the heavy
    requests, so that a flood of attempts from many addresses cannot delay pages and /healthz."""
    return environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] in _log_in_paths()


@functools.cache
def _log_in_paths() -> frozenset[str]:
    return frozenset({reverse("accounts:login"), reverse("admin:login")})


def _decide(environ: dict) -> tuple[Refusal, int, bool]:
    """The budget's answer for a request whose body is held back, the largest body its view
    takes, and whether it came with a valid API key."""
    request = WSGIRequest({**environ, "wsgi.input": io.BytesIO()})
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        view = None
    decided = admit(request, view)
    return decided, body_cap(view), getattr(request, "api_client", None) is not None


async def _receive_body(receive, cap: int) -> tuple[bytes | None, Refusal | None]:
    """The whole body, or what arrived of it and why the rest was not taken (None: the client
    disconnected)."""
    parts, size = [], 0
    try:
        async with asyncio.timeout(settings.BODY_SECONDS):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None, None
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > cap:
                    return b"", Refusal(413, cap)
                parts.append(chunk)
                if not message.get("more_body"):
                    return b"".join(parts), None
    except TimeoutError:
        return b"", Refusal(408)


def _run(environ: dict) -> tuple[int, list, bytes]:
    """Django's answer, in a thread of the pool: status, headers, body."""
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, headers

    chunks = django_app(environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in started["headers"]]
    return int(started["status"].split(" ", 1)[0]), headers, content


def wsgi_environ(scope: dict) -> dict:
    """The WSGI environ of an ASGI HTTP scope (PEP 3333: text as latin-1 of the bytes)."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode().decode("latin-1"),
        "PATH_INFO": scope["path"].encode().decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/" + scope.get("http_version", "1.1"),
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        DECIDED: None,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[name] = value
            continue
        key = "HTTP_" + name
        if key in environ:
            value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
        environ[key] = value
    return environ


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            # The pool is left to end with the process: requests still arriving while the
            # server stops are answered, not refused by a closed pool.
            await send({"type": "lifespan.shutdown.complete"})
            return
