"""The staff portal: a bulletin is on every audience member's home page once it is published,
so its Delivery row is delivered when it is made (delivery/services.py); nothing is sent."""

from chinhthong.delivery.models import Channel
from chinhthong.delivery.transports.base import Message, Sent, Transport


class PortalTransport(Transport):
    channel = Channel.PORTAL

    def available_for(self, staff) -> bool:
        return True

    def send(self, message: Message, recipient) -> Sent:
        return Sent(delivered=True)
