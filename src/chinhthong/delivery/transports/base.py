"""The one interface every channel's transport speaks (DESIGN.md, "Transports").

A transport sends one message to one recipient and says nothing else: it raises
``TransportError`` when it could not, with ``permanent`` (never retry: the address does not
exist, the subscription is gone) and ``retry_after`` (seconds a provider asked us to wait). The
caller (delivery/services.py) records the attempt on the Delivery row and decides retries, in
one place for every channel.
"""

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
    """What to send, already rendered for the recipient (their personal link included)."""

    subject: str
    text: str
    html: str = ""
    url: str = ""
    urgent: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    """What a transport learnt from handing a message over: the provider's id for it, and
    whether handing over already means delivered (the portal) or only sent."""

    provider_id: str = ""
    delivered: bool = False


class Transport:
    channel: str = ""

    def available_for(self, staff) -> bool:
        """Whether this staff member can be reached on this channel at all."""
        raise NotImplementedError

    def send(self, message: Message, recipient) -> Sent:
        raise NotImplementedError
