"""Settings of the reports of false information (reports/) and of the mail gateway's tipline
(gateway/), read from the environment like every other (docs/operations.md); config/settings.py
takes them all. EVIDENCE_DIR and TIPLINE_ADDRESS, which derive from the installation's folder and
mail address, stay there."""

from django.core.exceptions import ImproperlyConfigured

from chinhthong.config.env import envbool, envint, envlist, envrate, envstr

# -- reports (reports/): reports of false information, their evidence and cases
# Reports one client may send a minute (the public form and POST /api/v1/reports together).
REPORT_RATE_LIMIT = envrate("CHINHTHONG_REPORT_RATE_LIMIT", "5/m")
# Each screenshot at most this big, and at most this many to one report.
REPORT_IMAGE_MAX_BYTES = envint("CHINHTHONG_REPORT_IMAGE_MAX_MB", 10) * 2**20
REPORT_MAX_IMAGES = max(1, envint("CHINHTHONG_REPORT_MAX_IMAGES", 5))
# Reporters' names and contacts are erased this many days after their case is closed
# (reports/tasks.py; docs/privacy.md).
REPORT_CONTACT_RETENTION_DAYS = max(1, envint("CHINHTHONG_REPORT_CONTACT_RETENTION_DAYS", 180))
# Whether each reported link is fetched once, as evidence (reports/capture.py, through the
# shared outbound fetch); off where the site may not reach the internet.
REPORT_CAPTURE_LINKS = envbool("CHINHTHONG_REPORT_CAPTURE_LINKS", True)
# A Maildir where reports forwarded by mail arrive (reports/mail_intake.py): read every minute
# when set; messages that cannot be reports go to its .Refused folder.
REPORT_MAILDIR = envstr("CHINHTHONG_REPORT_MAILDIR").strip()
# -- mail tipline (gateway/tipline.py): messages forwarded to an address such as kiemtra@…,
# delivered by the mail server to this Maildir, are read every minute and answered with the
# verdict; messages that cannot be read go to its .Refused folder. Empty: no tipline.
TIPLINE_MAILDIR = envstr("CHINHTHONG_TIPLINE_MAILDIR").strip()
# Replies one sender gets in an hour; their further messages are judged and not answered.
TIPLINE_REPLIES_PER_HOUR = max(0, envint("CHINHTHONG_TIPLINE_REPLIES_PER_HOUR", 10))
# Whether a referral package names the reporters (only where the body needs a witness).
REFERRAL_INCLUDES_CONTACT = envbool("CHINHTHONG_REFERRAL_INCLUDES_CONTACT", False)
# Hours a case may take, from its report to a decision, by priority (low, normal, high, urgent).
REPORT_DUE_HOURS = [
    int(h) for h in envlist("CHINHTHONG_REPORT_DUE_HOURS", ["168", "72", "24", "4"])
]
if len(REPORT_DUE_HOURS) != 4 or min(REPORT_DUE_HOURS) < 1:
    raise ImproperlyConfigured(
        "CHINHTHONG_REPORT_DUE_HOURS lists four numbers of hours: low, normal, high, urgent"
    )
# A new report joins a case on its own above the first score and is suggested above the second
# (reports/matching.py); a claim of fewer words than the last is never joined on its own.
REPORT_JOIN_SCORE = float(envstr("CHINHTHONG_REPORT_JOIN_SCORE", "0.85"))
REPORT_SUGGEST_SCORE = float(envstr("CHINHTHONG_REPORT_SUGGEST_SCORE", "0.5"))
REPORT_SHORT_WORDS = envint("CHINHTHONG_REPORT_SHORT_WORDS", 8)
# A dotted path to a function text -> vector that re-ranks matching's candidates (an embedding
# model the installation provides); empty: lexical matching only (reports/textmatch.py).
REPORT_EMBEDDER = envstr("CHINHTHONG_REPORT_EMBEDDER").strip()
