"""Reason texts of email analysis (merged into verify/reasons.py TEXTS).

This module imports nothing from verify/reasons.py: reasons.py imports it while it is itself
being imported, and an import back would fail whenever this module is imported first.
"""


def gettext_noop(text: str) -> str:
    """Marks a string for extraction (`make makemessages`) without translating it here."""
    return text


MAIL_TEXTS: dict[str, str] = {
    # the whole message: what was judged (every verdict has at least this reason)
    "email_checked": gettext_noop(
        "Checked: the sender %(sender)s, %(links)s link(s) and %(attachments)s attachment(s) "
        "of the message. Only a sender confirmed by the receiving mail server can make a "
        "message official, and any unsafe link or attachment makes it unsafe."
    ),
    "email_checked_no_sender": gettext_noop(
        "Checked: %(links)s link(s) and %(attachments)s attachment(s) of a message without a "
        "sender address, which therefore cannot be official; any unsafe link or attachment "
        "makes it unsafe."
    ),
    # impersonation
    "forged_official_sender": gettext_noop(
        "The message claims to come from the official domain %(domain)s but failed DMARC at "
        "the receiving server: the sender is forged."
    ),
    "display_name_address": gettext_noop(
        "The sender's name shows %(shown)s, but the message really comes from %(address)s."
    ),
    "link_text_official": gettext_noop(
        "A link shows the official %(shown)s (“%(channel)s”) but really opens %(host)s."
    ),
    # suspicious: senders
    "unverified_official_sender": gettext_noop(
        "The message claims to come from the official domain %(domain)s, but the receiving "
        "server could not confirm it (SPF failed and no valid DKIM signature): the sender may "
        "be forged."
    ),
    "auth_failed": gettext_noop(
        "The receiving server could not confirm that the message really comes from %(domain)s "
        "(%(checks)s failed)."
    ),
    "reply_to_elsewhere": gettext_noop(
        "Replies to this message go to %(reply_to)s, not to the official domain %(domain)s it "
        "comes from."
    ),
    "no_sender": gettext_noop("The message has no sender address (no “From” line)."),
    # unknown: an official From line without proof (no green tick without it)
    "unauthenticated_sender": gettext_noop(
        "The message claims to come from %(address)s, on %(domain)s, the official mail domain "
        "of %(agency)s, but this cannot be verified: it carries no authentication results, "
        "which the mail server that receives a message writes when it checks the sender, and "
        "anyone can write a From line. To be sure, check the message as your mailbox received "
        "it (in Gmail “Show original”, in Outlook “View message source”, saved as .eml), or ask "
        "%(agency)s through the contacts in the directory of official channels."
    ),
    "unconfirmed_official_sender": gettext_noop(
        "The message claims to come from %(address)s, on %(domain)s, the official mail domain "
        "of %(agency)s, but the receiving mail server did not confirm it: no SPF, DKIM or "
        "DMARC check passed for %(domain)s. Before doing what it asks, confirm it with "
        "%(agency)s through the contacts in the directory of official channels."
    ),
    # suspicious: links
    "link_text_mismatch": gettext_noop("A link shows %(shown)s but really opens %(host)s."),
    # unknown: notes on links and names that show another site, which prove nothing
    "link_text_elsewhere": gettext_noop(
        "A link shows %(shown)s but opens %(host)s, as newsletters do to count clicks; neither "
        "is an official site."
    ),
    "display_name_site": gettext_noop(
        "The sender's name shows %(shown)s, but the message comes from %(address)s, on another "
        "domain; neither is an official channel."
    ),
    "too_many_links": gettext_noop(
        "The message has more than %(limit)s links; only the first %(limit)s were checked."
    ),
    # suspicious: attachments
    "dangerous_attachment": gettext_noop(
        "The attachment “%(name)s” can run programs on your device (%(type)s); do not open it."
    ),
    "disguised_attachment": gettext_noop(
        "The attachment “%(name)s” is disguised: its name shows %(shown)s, but it is really "
        "%(real)s."
    ),
    "macro_document": gettext_noop(
        "The document “%(name)s” contains macros, programs that run when you enable editing "
        "or content; do not enable them."
    ),
    "archive_contains": gettext_noop(
        "The archive “%(name)s” contains “%(member)s”, a file that can run programs or hides "
        "its real type; do not extract it."
    ),
    "encrypted_archive": gettext_noop(
        "The archive “%(name)s” is locked with a password, which keeps virus scanners from "
        "looking inside; attackers send the password in the message."
    ),
    "archive_bomb": gettext_noop(
        "The archive “%(name)s” would unpack to far more data than it holds (an archive "
        "bomb), so it was not opened."
    ),
    # suspicious: damaged or hostile messages
    "malformed": gettext_noop(
        "The message is damaged or breaks the email format, so mail programs may show it "
        "differently from what was checked here."
    ),
    "undecodable_part": gettext_noop(
        "The part “%(name)s” of the message is damaged and cannot be decoded properly."
    ),
    "too_large": gettext_noop(
        "The message is larger than %(limit)s MB; only its sender was checked."
    ),
    "headers_too_large": gettext_noop(
        "The message has abnormally many or long header lines; only the first ones were checked."
    ),
    "too_complex": gettext_noop(
        "The message is built of too many nested parts to be checked safely; only its sender "
        "was checked."
    ),
    "too_many_parts": gettext_noop(
        "The message has more than %(limit)s parts; the rest were not checked."
    ),
    "too_deep": gettext_noop(
        "The message nests its parts more than %(limit)s levels deep; the deeper parts were "
        "not checked."
    ),
    "too_slow": gettext_noop(
        "Checking the message took longer than %(limit)s seconds; the remaining parts were not "
        "checked."
    ),
}
