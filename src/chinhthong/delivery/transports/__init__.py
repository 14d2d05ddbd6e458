"""Which transport sends each channel (CONTRIBUTING.md, "Adding a delivery channel").

Transports are named by import path, so that a channel whose module is absent (or fails to
import) is simply not offered: nobody is given rows on it, and nothing else breaks.
"""

import functools
import logging

from django.utils.module_loading import import_string

from chinhthong.delivery.models import Channel

log = logging.getLogger(__name__)

TRANSPORTS = {
    Channel.PORTAL: "chinhthong.delivery.transports.portal.PortalTransport",
    Channel.EMAIL: "chinhthong.delivery.transports.email.EmailTransport",
    Channel.WEBPUSH: "chinhthong.delivery.transports.webpush.WebPushTransport",
    Channel.ZALO: "chinhthong.delivery.transports.zalo.ZaloTransport",
}


@functools.cache
def transport_class(channel: str):
    """The transport class of ``channel``, or None when its module is not there."""
    path = TRANSPORTS.get(channel)
    if path is None:
        return None
    try:
        return import_string(path)
    except ImportError:
        log.warning("no transport for the %s channel (%s)", channel, path)
        return None


def transport_for(channel: str):
    """A new transport for a batch of ``channel``'s messages, or None."""
    found = transport_class(channel)
    return found() if found is not None else None
