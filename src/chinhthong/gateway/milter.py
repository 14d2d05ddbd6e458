"""The milter: Postfix (smtpd_milters, non_smtpd_milters) or Sendmail hands each message over
the milter protocol (pymilter, on libmilter); it is judged by the engine workers with the same
check as POST /api/v1/check/email, and marked by policy (policy.py, marking.py).

Every message gets X-Chinhthong-Verdict and X-Chinhthong-Reasons; copies of those headers the
sender wrote are removed first, so a forger cannot pre-stamp a message "official". A message
the engine could not judge in time passes with ``X-Chinhthong-Verdict: unchecked`` (fail open):
mail must never stop because of this filter.

Sender authentication: the engine believes only the topmost Authentication-Results field
(verify/mail.py). The gateway's own fields are those written under the authserv-ids it is
given (--authserv-id; none by default: a sender can write a field under the gateway's name,
which its SMTP banner shows, and only an authenticating milter before this one removes such
fields); the copy the engine judges keeps only those. The message delivered keeps them all.
"""

import contextlib
import logging
import os
import socket

import Milter
import milter

from chinhthong.checks.services import MAX_EMAIL_BYTES
from chinhthong.gateway import authentication, marking
from chinhthong.gateway.engine_pool import EnginePool, Unjudged
from chinhthong.gateway.policy import Policy

log = logging.getLogger(__name__)
NAME = "chinhthong"
REPLACE_CHUNK = 65536
MAX_FIELDS = 10_000  # header fields kept for judging (the engine reads 500)
# SMTP replies are ASCII (RFC 5321; UTF-8 only after SMTPUTF8), so the refusal is in English.
REFUSAL = "Message refused by the province's mail gateway: %s (chinhthong)"


class GatewayMilter(Milter.Base):
    """One SMTP connection; several messages may pass through it in turn."""

    pool: EnginePool  # set by run()
    policy: Policy

    def __init__(self):
        self._reset()

    def _reset(self) -> None:
        self._fields: list[tuple[str, bytes]] = []
        self._ours = dict.fromkeys(marking.OUR_HEADERS, 0)  # the sender's copies, all of them
        self._body = bytearray()
        self._truncated = False

    # Every step is answered, none marked @Milter.noreply, and DATA is asked for: the MTA then
    # waits for an answer after each packet it sends. A step it sends unanswered is followed by
    # its next packet, which Nagle's algorithm holds until our delayed acknowledgement: about
    # 40 ms a message over TCP (bench/gateway.py: 87 messages/s instead of 300).
    def envfrom(self, sender, *params):
        self._reset()
        return Milter.CONTINUE

    @Milter.decode("bytes")
    def header(self, name, value):
        for ours in self._ours:
            if name.lower() == ours.lower():
                self._ours[ours] += 1
        if len(self._fields) < MAX_FIELDS:
            self._fields.append((name, value))
        return Milter.CONTINUE

    def body(self, chunk):
        room = MAX_EMAIL_BYTES - len(self._body)
        if len(chunk) > room:
            self._truncated = True
        self._body += chunk[: max(room, 0)]
        return Milter.CONTINUE

    def data(self):
        return Milter.CONTINUE  # asked for only so that the MTA waits for an answer (above)

    def abort(self):
        self._reset()
        return Milter.CONTINUE

    def eom(self):
        try:
            return self._finish()
        except Exception:  # a bug here must not stop the mail: pass it on unmarked
            log.exception("the milter failed on a message; it passes unmarked")
            return Milter.CONTINUE
        finally:
            self._reset()

    def _finish(self):
        body = bytes(self._body)
        judged = self._head(self._believed_fields()) + (b"" if self._truncated else body)
        try:
            result = self.pool.judge(judged)
        except Unjudged as exc:
            log.warning("message passed unchecked: %s", exc.code)
            self._stamp(marking.unchecked_headers(exc.code))
            return Milter.CONTINUE
        headers = marking.verdict_headers(result)
        self._stamp(headers)
        verdict = result.verdict
        # One line a message, for the administrator's rollout (docs/mail-gateway.md).
        log.info("%s verdict=%s reasons=%s", self.getsymval("i") or "-", verdict, headers[1][1])
        if verdict in self.policy.reject:
            self.setreply("550", "5.7.1", REFUSAL % verdict)
            return Milter.REJECT
        if verdict in self.policy.banner or (
            self.policy.banner_dangerous and marking.dangerous(result)
        ):
            self._warn(body, result)
        if verdict in self.policy.quarantine:
            self.quarantine(f"chinhthong: {verdict}")
        return Milter.CONTINUE

    def _believed_fields(self) -> list[tuple[str, bytes]]:
        return authentication.believed(self._fields, self.policy.authserv_ids)

    @staticmethod
    def _head(fields: list[tuple[str, bytes]]) -> bytes:
        lines = [
            name.encode("ascii", "replace") + b": " + _crlf(value) + b"\r\n"
            for name, value in fields
        ]
        return b"".join(lines) + b"\r\n"

    def _stamp(self, headers: list[tuple[str, str]]) -> None:
        for name, count in self._ours.items():
            for index in range(count, 0, -1):
                self.chgheader(name, index, None)
        for name, value in headers:
            self.addheader(name, value)

    def _warn(self, body: bytes, result) -> None:
        subject = next((v for n, v in self._fields if n.lower() == "subject"), None)
        shown = subject.decode("utf-8", "replace") if subject is not None else None
        self.chgheader("Subject", 1, marking.warned_subject(shown, result))
        if self._truncated:
            return  # the body was not kept whole: the subject and headers warn
        rebuilt = marking.bannered(self._head(self._fields), body, result)
        if rebuilt is None:
            return
        changed, new_body = rebuilt
        for name, value in changed:
            self.chgheader(name, 1, value)
        for start in range(0, len(new_body), REPLACE_CHUNK):
            self.replacebody(new_body[start : start + REPLACE_CHUNK])


def _crlf(value: bytes) -> bytes:
    return value.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def run(listen: str, pool: EnginePool, policy: Policy, timeout: int = 600) -> None:
    """Serve until SIGTERM or SIGINT (libmilter stops its loop on them). What pymilter's
    runmilter() does, with one step between opening the socket and serving (_no_delay)."""
    GatewayMilter.pool = pool
    GatewayMilter.policy = policy
    Milter.factory = GatewayMilter
    milter.set_flags(Milter.ADDHDRS | Milter.CHGHDRS | Milter.CHGBODY | Milter.QUARANTINE)
    milter.set_connect_callback(Milter.connect_callback)
    milter.set_helo_callback(lambda ctx, host: ctx.getpriv().hello(host))
    milter.set_envfrom_callback(lambda ctx, *b: ctx.getpriv().envfrom_bytes(*b))
    milter.set_envrcpt_callback(lambda ctx, *b: ctx.getpriv().envrcpt_bytes(*b))
    milter.set_header_callback(lambda ctx, f, v: ctx.getpriv().header_bytes(f, v))
    milter.set_eoh_callback(lambda ctx: ctx.getpriv().eoh())
    milter.set_body_callback(lambda ctx, chunk: ctx.getpriv().body(chunk))
    milter.set_eom_callback(lambda ctx: ctx.getpriv().eom())
    milter.set_abort_callback(lambda ctx: ctx.getpriv().abort())
    milter.set_close_callback(Milter.close_callback)
    milter.setconn(listen)
    milter.settimeout(timeout)
    milter.register(
        NAME,
        data=lambda ctx: ctx.getpriv().data(),
        unknown=lambda ctx, cmd: ctx.getpriv().unknown(cmd),
        negotiate=Milter.negotiate_callback,
    )
    milter.opensocket(True)
    if listen.startswith("inet"):
        _no_delay(int(listen.split(":")[1].split("@")[0]))
    milter.main()


def _no_delay(port: int) -> None:
    """TCP_NODELAY on libmilter's listening socket, which the connections it accepts inherit
    (Linux). libmilter sends each change to a message (a header added, one removed) as a small
    packet of its own and the MTA acknowledges none of them: without this, Nagle's algorithm
    held each message about 40 ms per change waiting for the MTA's delayed acknowledgement
    (bench/gateway.py: 87 messages/s instead of several hundred)."""
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError, ValueError):
            found = socket.socket(fileno=os.dup(int(name)))
            with found:
                listening = found.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                if (
                    found.type == socket.SOCK_STREAM
                    and found.family in (socket.AF_INET, socket.AF_INET6)
                    and listening
                    and found.getsockname()[1] == port
                ):
                    found.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    return
    log.warning("no listening socket found on port %d: Nagle's algorithm stays on", port)
