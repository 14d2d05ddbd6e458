"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: for the tests and for
bench/bulletin_email.py.

In the test's process:

    with smtp_server() as server:          # listening on a free port of 127.0.0.1
        server.url                         # smtp://127.0.0.1:PORT?starttls=no
        server.refuse("a@x.vn", "550 5.1.1 No such user")       # at RCPT, every time
        server.refuse("b@x.vn", "451 4.3.0 Try later", times=1)  # once, then accepted
        server.wait_for(3)                 # polls until 3 messages are in
        server.received                    # [Received(sender, recipients, content)]

As a process of its own (the benchmark kills workers, never this server): appends one line
"<Message-ID>\\t<recipient>\\n" per accepted recipient to OUT, flushed at once, and prints
"ready PORT" when it listens; SIGTERM stops it.

    python tests/delivery/smtp_server.py --port PORT --out OUT
"""

import argparse
import contextlib
import email
import email.policy
import logging
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)
READY_TIMEOUT = 60.0
# aiosmtpd tells of every connection at INFO from its own thread, which outlives a test's
# captured output; its warnings and errors still show.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def message_id(content: bytes) -> str:
    head = content.split(b"\r\n\r\n", 1)[0]
    found = _MESSAGE_ID.search(head)
    return found.group(1).decode("ascii", "replace") if found else ""


@dataclass
class Received:
    sender: str
    recipients: list[str]
    content: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.content, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return message_id(self.content)

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class _Refusal:
    reply: str
    times: int | None  # None: always


@dataclass
class StoringHandler:
    received: list[Received] = field(default_factory=list)
    refusals: dict[str, _Refusal] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    connections: int = 0  # sessions greeted (one EHLO each)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            refusal = self.refusals.get(address.lower())
            if refusal is not None and refusal.times != 0:
                if refusal.times is not None:
                    refusal.times -= 1
                return refusal.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(content))
            )
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    def __init__(self, handler: StoringHandler, port: int):
        self.handler = handler
        self.port = port
        self.url = f"smtp://127.0.0.1:{port}?starttls=no"

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def connections(self) -> int:
        with self.handler.lock:
            return self.handler.connections

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def refuse(self, address: str, reply: str, *, times: int | None = None) -> None:
        with self.handler.lock:
            self.handler.refusals[address.lower()] = _Refusal(reply, times)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()

    def wait_for(self, count: int, timeout: float = READY_TIMEOUT) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} of {count} messages in {timeout} s")
            time.sleep(0.05)
        return self.received


@contextlib.contextmanager
def smtp_server():
    """An SMTP server in a thread of this process, stopped on leaving."""
    handler = StoringHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=READY_TIMEOUT)
    controller.start()
    try:
        yield SmtpServer(handler, port)
    finally:
        controller.stop()


# --- as a process of its own (bench/bulletin_email.py) ------------------------------------------
@contextlib.contextmanager
def site_sending_to(settings, *, mail_from: str, public_url: str):
    """A real SMTP server, and the site sending to it as CHINHTHONG_SMTP_URL would set up
    (``settings``: pytest-django's fixture)."""
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 30
        settings.MAIL_FROM = mail_from
        settings.PUBLIC_URL = public_url
        yield server


class AppendingHandler:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        found = message_id(envelope.original_content or envelope.content)
        self.out.write("".join(f"{found}\t{rcpt}\n" for rcpt in envelope.rcpt_tos))
        self.out.flush()
        return "250 2.0.0 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    with open(args.out, "a", encoding="utf-8") as out:
        controller = Controller(
            AppendingHandler(out), hostname="127.0.0.1", port=args.port, ready_timeout=60
        )
        controller.start()
        print(f"ready {args.port}", flush=True)
        try:
            stop.wait()
        finally:
            controller.stop()


if __name__ == "__main__":
    sys.exit(main())
