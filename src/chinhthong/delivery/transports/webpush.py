"""The web push channel: a notification to every browser where the staff member turned them
on (the staff portal installed as a PWA; on iPhone and iPad only once it is on the Home
Screen). Encryption, signing and the push services' answers are in delivery/push.py."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from chinhthong.delivery import push, quiet_hours, vapid
from chinhthong.delivery.models import Channel
from chinhthong.delivery.transports.base import Deferred, Message, Sent, Transport, TransportError


def deferred_for_quiet_hours(message: Message) -> None:
    """Raise Deferred while quiet hours hold, unless the message is urgent."""
    if message.urgent:
        return
    until = quiet_hours.quiet_until()
    if until is not None:
        shown = formats.time_format(timezone.localtime(until), "H:i")
        raise Deferred(_("Quiet hours: sent after %(time)s.") % {"time": shown}, until=until)


class WebPushTransport(Transport):
    channel = Channel.WEBPUSH

    def available_for(self, staff) -> bool:
        # Asked once per instance (a fan-out asks for every candidate with one instance);
        # .all() uses subscriptions prefetched by the caller (prefetch_related), if any.
        if getattr(self, "_key", None) is None:
            self._key = vapid.available()
        return self._key and len(staff.push_subscriptions.all()) > 0

    def send(self, message: Message, recipient) -> Sent:
        deferred_for_quiet_hours(message)
        try:
            vapid.subject()
            vapid.private_key()
        except vapid.VapidUnusable as exc:
            raise TransportError(str(exc), technical=True) from exc
        subscriptions = list(recipient.push_subscriptions.all())
        if not subscriptions:
            raise TransportError(
                _("The staff member has no browser with notifications turned on."), permanent=True
            )
        data = push.payload(message)
        topic = push.topic_for(message)
        # Each browser on its own: one refused or failing subscription stops none of the others.
        outcomes = [
            push.send_one(s, data, urgent=message.urgent, topic=topic) for s in subscriptions
        ]
        return _sent_or_raise(outcomes)


def _sent_or_raise(outcomes: list[push.Outcome]) -> Sent:
    """Sent when one browser's push service took it; else the most hopeful failure: temporary
    (retried, after the longest wait asked), then technical, then permanent (every
    subscription gone)."""
    accepted = [o for o in outcomes if o.accepted]
    if accepted:
        return Sent(provider_id=accepted[0].location)
    reasons = "; ".join(dict.fromkeys(o.reason for o in outcomes))
    temporary = [o for o in outcomes if o.temporary]
    if temporary:
        waits = [o.retry_after for o in temporary if o.retry_after is not None]
        raise TransportError(reasons, retry_after=max(waits) if waits else None)
    if all(o.gone for o in outcomes):
        raise TransportError(reasons, permanent=True)
    raise TransportError(reasons, technical=True)
