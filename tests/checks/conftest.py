import socket

import pytest


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
