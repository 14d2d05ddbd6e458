"""Reports of false information, the cases they join, the evidence kept for them, the custody
log that proves the evidence was not changed, referrals to the bodies that act, and the public
rebuttal (letters 1341 and 365; docs/reports.md)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chinhthong.config.validators import validate_one_line

# Tracking codes: no 0/O, 1/I/L, so that a code read over the phone is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code() -> str:
    """``TG-XXXX-XXXX-XXXX``: 60 bits, unguessable, so a code shows one report to whoever holds
    it and no one can walk through the others."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _n in range(12))
    return f"TG-{body[:4]}-{body[4:8]}-{body[8:]}"


class State(models.TextChoices):
    NEW = "new", _("New")
    TRIAGE = "triage", _("Being triaged")
    INVESTIGATING = "investigating", _("Being investigated")
    DECIDED = "decided", _("Decided")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not actionable")


# A case with a due time to meet: not yet decided, rejected or closed.
AWAITING_DECISION = (State.NEW, State.TRIAGE, State.INVESTIGATING)


class Verdict(models.TextChoices):
    """The labels of the national anti-fake-news centre (tingia.gov.vn), and one for claims no
    competent body can yet confirm or deny."""

    FABRICATED = "fabricated", _("Fake news")
    FALSE = "false", _("False or distorted information")
    TRUE = "true", _("True information")
    UNVERIFIABLE = "unverifiable", _("Cannot yet be verified")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Intake(models.TextChoices):
    WEB = "web", _("Public form")
    STAFF = "staff", _("Staff form")
    API = "api", _("API")
    MAIL = "mail", _("Email")


class Case(models.Model):
    """One claim, however many reports point at it."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    title = models.CharField(_("claim"), max_length=300, validators=[validate_one_line])
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.NEW, db_index=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    # "Being handled by": who has the case open now, until when (renewed while open).
    handling_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handling_until = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(
        _("verdict"), max_length=16, choices=Verdict.choices, blank=True, default=""
    )
    # What the public is told: the finding and who confirmed it.
    finding = models.TextField(_("finding"), max_length=5000, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When it was last closed or found not actionable: reporters' contacts are erased a
    # retention period after it (reports/privacy.py).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    platform = models.CharField(_("platform"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The public rebuttal ("Thông tin đã xác minh"), once published.
    rebuttal_slug = models.SlugField(max_length=120, unique=True, null=True, blank=True)
    rebuttal_title = models.CharField(
        _("rebuttal title"), max_length=300, blank=True, validators=[validate_one_line]
    )
    rebuttal_text = models.TextField(_("rebuttal"), max_length=20_000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    bulletins = models.ManyToManyField(
        "bulletins.Bulletin",
        verbose_name=_("bulletins that answer it"),
        blank=True,
        related_name="cases",
    )
    history = HistoricalRecords(excluded_fields=["handling_by", "handling_until", "updated_at"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-priority", "created_at"]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def awaiting_decision(self) -> bool:
        """New, in triage or being investigated: it has a due time to meet."""
        return self.state in AWAITING_DECISION


class Report(models.Model):
    """What one person sent, as they sent it. The contact fields are personal data: shown only
    to handlers, erased after the retention period (docs/privacy.md)."""

    tracking_code = models.CharField(max_length=20, unique=True, default=new_tracking_code)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reports")
    intake = models.CharField(_("received through"), max_length=8, choices=Intake.choices)
    claim = models.TextField(_("the claim as seen"), max_length=10_000)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    consent = models.BooleanField(_("agreed to be contacted"), default=False)
    contact_erased_at = models.DateTimeField(null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "reach.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Mail intake: the message's Message-ID (or its hash), so each message is taken once.
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # A case the matcher found close but not close enough to join on its own.
    suggested_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggested_reports"
    )
    suggested_score = models.FloatField(null=True, blank=True)
    outcome_sent_at = models.DateTimeField(null=True, blank=True)
    # The claim's words prepared for matching (textnorm.stored_terms: normalised, segmented by
    # underthesea), so that a process building its index does not segment every claim again.
    match_terms = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["received_at"]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_phone)


class BulletinTerms(models.Model):
    """A published bulletin version's words prepared for matching reports against it
    (textnorm.stored_terms), made once: a version never changes once published."""

    version = models.OneToOneField(
        "bulletins.BulletinVersion", on_delete=models.CASCADE, related_name="+"
    )
    terms = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"terms of version {self.version_id}"


class ReportLink(models.Model):
    """A link the report points at, with the verifier's verdict on it when it came in."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="links")
    url = models.CharField(_("link"), max_length=2000)
    canonical_url = models.CharField(max_length=2000, db_index=True)
    platform = models.CharField(_("platform"), max_length=32, blank=True)
    verdict = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("reported link")
        verbose_name_plural = _("reported links")

    def __str__(self) -> str:
        return self.url


class EvidenceKind(models.TextChoices):
    SCREENSHOT = "screenshot", _("Screenshot")
    ATTACHMENT = "attachment", _("Attachment")
    MESSAGE = "message", _("Forwarded message")
    WARC = "warc", _("Web capture (WARC)")


class Evidence(models.Model):
    """A file kept as received, addressed by its SHA-256 (evidence.py stores it)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EvidenceKind.choices)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    # An image's copy without its metadata (EXIF: place, device), the one shown on pages.
    shown_sha256 = models.CharField(max_length=64, blank=True)
    # A 64-bit perceptual hash, hex: the same screenshot re-encoded or resized.
    phash = models.CharField(max_length=16, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class CaptureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Captured")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class Capture(models.Model):
    """A reported page as our fetcher saw it: the exchange as WARC records, its text."""

    link = models.OneToOneField(ReportLink, on_delete=models.CASCADE, related_name="capture")
    status = models.CharField(
        max_length=8, choices=CaptureStatus.choices, default=CaptureStatus.PENDING
    )
    reason = models.CharField(max_length=500, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    tls_subject = models.CharField(max_length=500, blank=True)
    address = models.CharField(max_length=64, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    warc = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("page capture")
        verbose_name_plural = _("page captures")

    def __str__(self) -> str:
        return self.final_url or self.link.url


class CustodyEntry(models.Model):
    """One line of a case's chain of custody. Append-only: each entry holds the hash of the
    one before, and the case's head (CustodyHead) is signed (custody.py)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="custody")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict)
    previous = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("custody entry")
        verbose_name_plural = _("custody log")
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="reports_custody_one_seq")
        ]

    def __str__(self) -> str:
        return f"{self.seq}: {self.action}"


class CustodyHead(models.Model):
    """The last entry of a case's chain, signed: a chain cut short no longer reaches it."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="custody_head")
    seq = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=200)
    key_id = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.seq}: {self.digest[:12]}"


class Comment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Referred")
    RECEIVED = "received", _("Received")
    HANDLING = "handling", _("Being handled")
    DONE = "done", _("Handled")
    DECLINED = "declined", _("Declined")


class Referral(models.Model):
    """A case passed to a body that acts on it (a ReportRecipient of the registry)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    recipient = models.ForeignKey(
        "registry.ReportRecipient",
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    note = models.TextField(_("note"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_note = models.TextField(_("answer"), max_length=5000, blank=True)
    referred_at = models.DateTimeField(_("referred at"), auto_now_add=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The package as sent: its PDF summary and evidence ZIP's hashes.
    package_sha256 = models.CharField(max_length=64, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "recipient"], name="reports_referral_once_per_body"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.recipient}"


class Liaison(models.Model):
    """A user who speaks for a body cases are referred to: they see only its referrals."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="liaison",
        limit_choices_to={"groups__name": "police_liaison", "is_active": True},
        help_text=_("An account with the police liaison role."),
    )
    recipient = models.ForeignKey(
        "registry.ReportRecipient",
        verbose_name=_("body"),
        on_delete=models.CASCADE,
        related_name="liaisons",
    )

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")

    def __str__(self) -> str:
        return f"{self.user} ({self.recipient})"
