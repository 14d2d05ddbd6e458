"""The mail tipline's record: one row per message forwarded to it (gateway/tipline.py).

The row is the message's claim: its key (Message-ID with sender, or the message's SHA-256) is
unique, so two runs reading the same Maildir never both answer it. The forwarder is kept only
as a keyed hash of their address, enough to count their replies against the hourly limit:
the address itself is read from the message in the Maildir when the reply is written
(docs/privacy.md: collect what the mission needs).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TiplineStatus(models.TextChoices):
    CLAIMED = "claimed", _("Being answered")  # a run holds it until claimed_until
    REPLIED = "replied", _("Answered")  # the reply was handed to the mail server
    LIMITED = "limited", _("Not answered: too many from this sender")
    FAILED = "failed", _("Not answered: the mail server refused the reply")


class Forwarded(models.TextChoices):
    ATTACHED = "attached", _("Forwarded as an attachment")
    QUOTED = "quoted", _("Forwarded in the text")
    NONE = "none", _("Nothing forwarded")


class TiplineMessage(models.Model):
    key = models.CharField(max_length=80, unique=True)
    sender_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=TiplineStatus.choices)
    forwarded = models.CharField(max_length=10, choices=Forwarded.choices, blank=True)
    verdict = models.CharField(max_length=20, blank=True)
    # The run that holds a CLAIMED row: its token, and until when (a run that died leaves a
    # row another run takes over once this has passed).
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    reply_id = models.CharField(max_length=255, blank=True)  # the reply's Message-ID
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("tipline message")
        verbose_name_plural = _("tipline messages")
        indexes = [models.Index(fields=["sender_hash", "answered_at"], name="tipline_sender")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
