"""Reason texts of email analysis (merged into verify/reasons.py TEXTS)."""

from chinhthong.verify.reasons import gettext_noop

MAIL_TEXTS: dict[str, str] = {
    "forged_official_sender": gettext_noop(
        "The message claims to come from the official domain %(domain)s but failed DMARC at "
        "the receiving server: the sender is forged."
    ),
}
