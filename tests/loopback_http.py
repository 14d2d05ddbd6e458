"""A real HTTP server on loopback for tests of outbound fetches (feeds, pages, clients), and a
resolver that answers chosen names (names under .invalid, which real DNS never answers).

    with LoopbackHTTP() as server:
        server.route("/rss.xml", body=b"...", headers={"ETag": '"v1"'})
        server.route("/slow", handler=lambda request, reply: ...)
        fetch(server.url("/rss.xml"))
        server.requests  # what it was asked: method, path, headers, body
"""

import http.server
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # When set, answers instead: handler(request, reply) with reply the server's handler
    # (send_response, send_header, end_headers, wfile).
    handler: Callable | None = None


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
        )
        self.server.owner.requests.append(request)
        route = self.server.owner.routes.get(self.path) or self.server.owner.routes.get(
            self.path.split("?", 1)[0]
        )
        if route is None:
            route = Route(404, b"not found")
        if route.handler is not None:
            route.handler(request, self)
            return
        reply(self, route.status, route.body, route.headers)

    do_GET = do_POST = do_HEAD = do_PUT = _answer

    def log_message(self, *args):
        pass


def reply(handler, status: int, body: bytes = b"", headers: dict | None = None) -> None:
    """Answer a request: ``status``, ``headers``, then ``body`` with its length."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if status not in (204, 304):
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD" and status not in (204, 304):
        handler.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: "LoopbackHTTP"


class LoopbackHTTP:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def route(self, path: str, **spec) -> Route:
        self.routes[path] = Route(**spec)
        return self.routes[path]

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self) -> "LoopbackHTTP":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


class FakeDNS:
    """socket.getaddrinfo answering chosen names: each name has a list of answers given in
    turn (the last one repeated), each answer a list of addresses. Other names go to the real
    resolver."""

    def __init__(self, monkeypatch):
        self.answers: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []
        real = socket.getaddrinfo

        def resolve(host, port, *args, **kwargs):
            name = host.decode() if isinstance(host, bytes) else host
            if name not in self.answers:
                return real(host, port, *args, **kwargs)
            self.asked.append(name)
            turns = self.answers[name]
            answer = turns.pop(0) if len(turns) > 1 else turns[0]
            if not answer:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [_info(address, port) for address in answer]

        monkeypatch.setattr(socket, "getaddrinfo", resolve)

    def add(self, name: str, *turns: list[str]) -> None:
        self.answers[name] = list(turns)


def _info(address: str, port) -> tuple:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port or 0), 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))
