"""The Zalo channel: a consultation message from the Official Account to a staff member who
linked their Zalo account (delivery/zalo_webhook.py), or, when a ZNS template is configured,
a template message to their phone number — also when they are outside the free interaction
window. Quiet hours and the daily quota defer what is not urgent or does not fit; the OA's
"received" and "seen" events later mark the delivery and the read.

Zalo's error codes are read with the tables below, taken from Zalo's public error tables for
the OA API and ZNS as seen in public pages and client code (Zalo's own documentation site was
not at hand). A code not listed is treated as temporary: retried a bounded number of times by
the caller, never lost silently.
"""

import uuid

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from chinhthong.delivery import quiet_hours, zalo
from chinhthong.delivery.models import Channel
from chinhthong.delivery.transports.base import Deferred, Message, Sent, Transport, TransportError
from chinhthong.delivery.transports.webpush import deferred_for_quiet_hours

# The follower cannot be reached by a consultation message: not following the OA (-213),
# blocked it (-217), banned or inactive (-227), outside the interaction window (-230, -232).
# With a ZNS template and a phone number, a template message is sent instead.
NOT_REACHABLE = {-213, -217, -227, -230, -232}
# ZNS: phone number invalid (-108), Zalo version too old (-110), user inactive or refusing
# (-114), no such Zalo account (-118), account cannot receive ZNS (-119), refused this kind of
# message (-139).
ZNS_NOT_REACHABLE = {-108, -110, -114, -118, -119, -139}
# Our side: parameters, the OA or app, the template (-201 … -212, -101 … -107, -109, -111 …).
OUR_SIDE = {-201, -202, -204, -205, -209, -210, -212, -215}
OUR_SIDE |= set(range(-107, -100)) | {-109, -111, -112, -113, -116, -117, -120, -121, -122}
# Quota spent (-211 the OA's, -115 ZNS balance): wait for the next day. Too many requests (-32).
OUT_OF_QUOTA = {-211, -115}
RATE_LIMITED = {-32}
# ZNS refuses some messages at night (-133): wait until the morning.
NIGHT = {-133}
MORNING_HOURS = "22:00-06:00"
TEXT_CHARACTERS = 600  # Zalo takes 2,000; a notice is its title, a summary and the link


class ZaloTransport(Transport):
    channel = Channel.ZALO

    def available_for(self, staff) -> bool:
        # Asked once per instance: a fan-out asks for every candidate with one instance.
        if getattr(self, "_configured", None) is None:
            self._configured = zalo.configured()
        if not self._configured:
            return False
        return bool(staff.zalo_id or (settings.ZALO_ZNS_TEMPLATE_ID and staff.phone))

    def send(self, message: Message, recipient) -> Sent:
        deferred_for_quiet_hours(message)
        if not zalo.configured():
            raise TransportError(
                _("Zalo is not set up (app credentials and tokens)."), technical=True
            )
        day = timezone.localdate()
        if not zalo.take_quota(day):
            until = quiet_hours.next_local_midnight()
            raise Deferred(_("Today's Zalo quota is spent; sent tomorrow."), until=until)
        try:
            return self._send(message, recipient)
        except BaseException:
            zalo.give_back_quota(day)
            raise

    def _send(self, message: Message, staff) -> Sent:
        zns = bool(settings.ZALO_ZNS_TEMPLATE_ID and staff.phone)
        if staff.zalo_id:
            try:
                return Sent(provider_id=zalo.send_text(staff.zalo_id, text_for(message)))
            except zalo.ZaloError as exc:
                if not (zns and exc.code in NOT_REACHABLE):
                    raise transport_error(exc) from exc
        if zns:
            try:
                msg_id = zalo.send_zns(
                    zalo.zns_phone(staff.phone),
                    settings.ZALO_ZNS_TEMPLATE_ID,
                    {"title": message.subject[:100], "url": message.url},
                    uuid.uuid4().hex,
                )
            except zalo.ZaloError as exc:
                raise transport_error(exc, zns=True) from exc
            return Sent(provider_id=msg_id)
        raise TransportError(_("The staff member has not linked a Zalo account."), permanent=True)


def text_for(message: Message) -> str:
    summary = " ".join(message.text.split())
    if len(summary) > TEXT_CHARACTERS:
        summary = summary[: TEXT_CHARACTERS - 1].rstrip() + "…"
    return "\n\n".join(part for part in (message.subject, summary, message.url) if part)


def transport_error(exc: "zalo.ZaloError", *, zns: bool = False) -> Exception:
    """Zalo's refusal as the delivery's failure: permanent, technical, temporary or deferred."""
    code = exc.code
    said = _("Zalo: %(reason)s (code %(code)s)") % {"reason": exc.message, "code": code}
    if isinstance(exc, zalo.ZaloNotConfigured):  # no tokens, or Zalo refused our refresh token
        return TransportError(exc.message, technical=True)
    if code is None:  # not answered: the network, a timeout, HTTP 429/5xx
        return TransportError(exc.message, retry_after=exc.retry_after)
    if code in (ZNS_NOT_REACHABLE if zns else NOT_REACHABLE):
        return TransportError(said, permanent=True)
    if code in OUT_OF_QUOTA:
        return Deferred(said, until=quiet_hours.next_local_midnight())
    if code in NIGHT:
        until = quiet_hours.quiet_until(spec=MORNING_HOURS)
        if until is not None:
            shown = formats.time_format(timezone.localtime(until), "H:i")
            return Deferred(f"{said} → {shown}", until=until)
    if code in RATE_LIMITED:
        return TransportError(said, retry_after=60)
    if code in OUR_SIDE or code in zalo.TOKEN_ERRORS:
        return TransportError(said, technical=True)
    return TransportError(said)
