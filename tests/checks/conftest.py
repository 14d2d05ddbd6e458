import http.server
import socket
import threading

import pytest


class FeedHandler(http.server.BaseHTTPRequestHandler):
    """A blocklist feed on loopback: serves ``body``, and keeps the Host header of each
    request it answers in ``hosts``."""

    body = b""
    hosts: list[str] = []

    def do_GET(self):
        FeedHandler.hosts.append(self.headers["Host"])
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    FeedHandler.body, FeedHandler.hosts = b"", []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """DNS rebinding: feed.invalid (RFC 2606: never in real DNS) answers 127.0.0.1 once, for
    the address check, then nothing at all."""
    real = socket.getaddrinfo
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]])

    def resolve(host, *args, **kwargs):
        if host == "feed.invalid":
            try:
                return next(answers)
            except StopIteration:
                raise socket.gaierror(socket.EAI_NONAME, "rebound") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
