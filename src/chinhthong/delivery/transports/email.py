"""Email, through Django's mail backend (config/settings.py builds it from
CHINHTHONG_SMTP_URL; without one, messages are written under var/mail/).

One connection serves a whole batch. Over SMTP the transport speaks each transaction itself on
the backend's connection, so that the sender can record the hand-over after the whole message
and before the final "." of DATA (delivery/queue.py explains why: a killed worker then never
causes a second copy). The server's refusals decide the outcome: a 5xx for the recipient or the
message is permanent, with the server's reply as the reason; a 4xx, a dropped connection or a
server that does not answer is temporary and retried.
"""

import contextlib
import re
import smtplib
import socket
from email.utils import formataddr, formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.utils.translation import gettext as _

from chinhthong.delivery.models import Channel
from chinhthong.delivery.transports.base import (
    HandoverRefused,
    Message,
    Sent,
    Transport,
    TransportError,
)

_LEADING_DOT = re.compile(rb"(?m)^\.")


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}"[:1000]


def refusal(code: int, reply, *, ours: bool = False) -> TransportError:
    """The TransportError for an SMTP reply: 5xx permanent, anything else temporary;
    ``ours`` when the refusal is of our sender or our connection, not of the recipient."""
    return TransportError(
        _("The mail server refused it: %(reply)s") % {"reply": _reply(code, reply)},
        permanent=500 <= code < 600,
        technical=ours,
    )


def unreachable(exc: BaseException) -> TransportError:
    return TransportError(
        _("The mail server could not be reached: %(error)s") % {"error": str(exc) or repr(exc)},
        technical=True,
    )


# Marks of the template's To and Date fields (To must look like an address to be built).
_TO = "ct-to-9f2c@mark.invalid"
_DATE = "@@ct-date-9f2c@@"
TEMPLATES_KEPT = 8
LONGEST_LINE = 998  # RFC 5322


def _envelope_address(address: str) -> str:
    """An address for MAIL FROM / RCPT TO: as it is when plain ASCII (staff addresses are
    checked on import), else as Django writes it (IDNA for the domain)."""
    if address.isascii() and "<" not in address and not any(c.isspace() for c in address):
        return address
    return sanitize_address(address, settings.DEFAULT_CHARSET)


class EmailTransport(Transport):
    """Messages of a batch share one MIME structure, built once by Django from the text with
    marks, then filled with each recipient's name, links, Message-ID and date (all in 8-bit
    UTF-8 parts and ASCII headers, so a byte replacement is exact): building a multipart
    message costs a millisecond, and a bulletin goes to tens of thousands. Anything the
    template cannot carry exactly is built by Django for that message alone."""

    channel = Channel.EMAIL
    calls_handover = True
    takes_personal = True

    def __init__(self):
        self.backend = None
        self._templates: dict[tuple, bytes | None] = {}

    def available_for(self, staff) -> bool:
        return bool(staff.email)

    @contextlib.contextmanager
    def batch(self):
        self.backend = get_connection(fail_silently=False)
        try:
            self._open()
            yield self
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.backend.close()
            self.backend = None
            self._templates.clear()

    def send(self, message: Message, recipient, *, handover=None) -> Sent:
        if self.backend is None:  # outside a batch: a session for this one message
            with self.batch():
                return self.send(message, recipient, handover=handover)
        filled = message.filled()
        if isinstance(self.backend, SmtpBackend):
            self._send_smtp(self._bytes(message, recipient), recipient.email, handover)
        else:  # the file backend of a node without a mail server, or a test's
            if handover is not None and not handover():
                raise HandoverRefused
            try:
                self.backend.send_messages([self.email(filled, recipient)])
            except (OSError, smtplib.SMTPException) as exc:
                raise unreachable(exc) from exc
        # Accepted by the mail server: delivered as far as SMTP tells; a bounce read later
        # (delivery/bounces.py) turns it into a permanent failure.
        return Sent(provider_id=filled.headers.get("Message-ID", ""), delivered=True)

    def _bytes(self, message: Message, recipient) -> bytes:
        """The message as sent: the batch's template filled in, or built by Django."""
        if message.personal and recipient.email.isascii():
            template = self._template(message)
            if template is not None:
                values = {
                    _TO: formataddr((recipient.name, recipient.email), "utf-8"),
                    _DATE: formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
                    **message.personal,
                }
                body = template
                for mark, value in values.items():
                    body = body.replace(mark.encode("ascii"), value.encode("utf-8"))
                if max(map(len, body.split(b"\r\n"))) <= LONGEST_LINE:
                    return body
        return self._built(self.email(message.filled(), recipient))

    def _template(self, message: Message) -> bytes | None:
        key = (message.subject, message.text, message.html, tuple(message.headers.items()))
        if key not in self._templates:
            if len(self._templates) >= TEMPLATES_KEPT:
                self._templates.clear()
            self._templates[key] = self._make_template(message)
        return self._templates[key]

    def _make_template(self, message: Message) -> bytes | None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.MAIL_FROM,
            to=[_TO],
            headers={**message.headers, "Date": _DATE},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        template = self._built(email)
        # Each mark must be there as written (not encoded, not folded), as often as it was
        # put in; the values must go into 8-bit parts, not into encoded ones.
        sources = (message.subject, message.text, message.html, *message.headers.values())
        for mark in (_TO, _DATE, *message.personal):
            wanted = sum(part.count(mark) for part in sources) + (mark in (_TO, _DATE))
            if template.count(mark.encode("ascii")) != wanted:
                return None
        if b"Content-Transfer-Encoding: 8bit" not in template and any(
            not part.isascii() for part in message.personal.values()
        ):
            return None
        return template

    @staticmethod
    def _built(email: EmailMultiAlternatives) -> bytes:
        try:
            return email.message().as_bytes(linesep="\r\n")
        except Exception as exc:  # an address or a header Django refuses
            raise TransportError(str(exc), permanent=True, technical=True) from exc

    def email(self, message: Message, recipient) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.MAIL_FROM,
            to=[formataddr((recipient.name, recipient.email))],
            headers=message.headers,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        return email

    # --- SMTP -------------------------------------------------------------------------------
    def _open(self) -> None:
        if not isinstance(self.backend, SmtpBackend):
            self.backend.open()
            return
        try:
            self.backend.open()
            # The final "." goes in a segment of its own, after the hand-over is recorded:
            # without this, Nagle's algorithm holds it until the server acknowledges the
            # message, which a server delays (40 ms a message on Linux).
            self.backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, smtplib.SMTPException) as exc:
            self.backend.connection = None
            raise unreachable(exc) from exc

    def _drop(self) -> None:
        """Close the connection without QUIT (after a broken exchange, or to withdraw a message
        whose final "." was not sent: the server then discards it)."""
        connection, self.backend.connection = self.backend.connection, None
        if connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.close()

    def _send_smtp(self, body: bytes, address: str, handover) -> None:
        if self.backend.connection is None:
            self._open()
        connection = self.backend.connection
        try:
            sender = _envelope_address(settings.MAIL_FROM)
            to = _envelope_address(address)
        except ValueError as exc:
            raise TransportError(str(exc), permanent=True) from exc
        try:
            self._envelope(connection, sender, to, len(body))
            code, reply = connection.docmd("data")
            if code != 354:
                self._reset(connection)
                raise refusal(code, reply)
            data = _LEADING_DOT.sub(b"..", body)
            connection.send(data if data.endswith(b"\r\n") else data + b"\r\n")
            if handover is not None and not handover():
                self._drop()
                raise HandoverRefused
            connection.send(b".\r\n")
            code, reply = connection.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise unreachable(exc) from exc
        if code == 421:  # the server is closing the connection
            self._drop()
        if code != 250:
            raise refusal(code, reply)

    def _envelope(self, connection: smtplib.SMTP, sender: str, to: str, size: int) -> None:
        connection.ehlo_or_helo_if_needed()
        options = []
        if connection.does_esmtp:
            if connection.has_extn("size"):
                options.append(f"size={size}")
            if connection.has_extn("8bitmime"):
                options.append("body=8BITMIME")
        code, reply = connection.mail(sender, options)
        if code != 250:
            self._reset(connection)
            raise refusal(code, reply, ours=True)
        code, reply = connection.rcpt(to)
        if code not in (250, 251):
            self._reset(connection)
            raise refusal(code, reply)

    def _reset(self, connection: smtplib.SMTP) -> None:
        try:
            connection.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()
