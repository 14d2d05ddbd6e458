"""The one interface every channel's transport speaks (DESIGN.md, "Transports").

A transport sends one message to one recipient and says nothing else: it raises
``TransportError`` when it could not, with ``permanent`` (never retry: the address does not
exist, the subscription is gone) and ``retry_after`` (seconds a provider asked us to wait). The
caller (delivery/services.py) records the attempt on the Delivery row and decides retries, in
one place for every channel.
"""

import contextlib
import dataclasses
from dataclasses import dataclass, field


class TransportError(Exception):
    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        technical: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        # Our side failed (a template, a configuration), not the recipient's: Notify's
        # "technical failure".
        self.technical = technical
        self.retry_after = retry_after


class Deferred(Exception):
    """Not now, and not a failure: quiet hours, or a provider's quota spent until its next
    window. The message waits until ``until`` without counting an attempt."""

    def __init__(self, reason: str, *, until):
        super().__init__(reason)
        self.reason = reason
        self.until = until


@dataclass(frozen=True)
class Message:
    """What to send, rendered for the recipient (their personal link included).

    A transport that renders many messages of one batch from one template (email: one MIME
    structure for a whole bulletin) may be given the text with marks where each recipient's
    own values go, and those values in ``personal``; ``filled()`` puts them in. Transports get
    a filled message unless they say otherwise (``Transport.takes_personal``)."""

    subject: str
    text: str
    html: str = ""
    url: str = ""
    urgent: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    personal: dict[str, str] = field(default_factory=dict)

    def filled(self) -> "Message":
        if not self.personal:
            return self

        def fill(value: str) -> str:
            for mark, own in self.personal.items():
                value = value.replace(mark, own)
            return value

        return dataclasses.replace(
            self,
            subject=fill(self.subject),
            text=fill(self.text),
            html=fill(self.html),
            url=fill(self.url),
            headers={name: fill(value) for name, value in self.headers.items()},
            personal={},
        )


@dataclass(frozen=True)
class Sent:
    """What a transport learnt from handing a message over: the provider's id for it, and
    whether handing over already means delivered (the portal) or only sent."""

    provider_id: str = ""
    delivered: bool = False


class Transport:
    """One channel. The sender (delivery/queue.py) makes one instance per batch of messages,
    enters ``batch()`` around the batch and calls ``send`` for each message in it."""

    channel: str = ""
    # Whether ``send`` takes a ``handover`` callable and calls it itself at the last moment
    # before the message can no longer be withdrawn (email: before the final "." of SMTP
    # DATA). The sender records the hand-over there, so that a worker killed afterwards leaves
    # a row that is never sent again. For other transports the sender records it just before
    # ``send``: a worker killed during the call leaves a row that is not resent either, but
    # whose outcome is unknown (technical failure) — never a second message.
    calls_handover: bool = False
    # Whether ``send`` takes a message with marks and ``personal`` values (Message.filled).
    takes_personal: bool = False

    @classmethod
    def enabled(cls) -> bool:
        """Whether the channel is set up at all (credentials, keys): a cheap check made once
        per fan-out, before ``available_for`` is asked about each person."""
        return True

    def available_for(self, staff) -> bool:
        """Whether this staff member can be reached on this channel at all."""
        raise NotImplementedError

    def batch(self):
        """A context for a batch of messages (one SMTP connection for the whole batch). It may
        raise TransportError when nothing can be sent now (the server does not answer)."""
        return contextlib.nullcontext(self)

    def send(self, message: Message, recipient) -> Sent:
        raise NotImplementedError


class HandoverRefused(Exception):
    """The row was taken over by another worker before the hand-over (its lease ran out):
    the transport withdrew the message, and nothing was sent."""
