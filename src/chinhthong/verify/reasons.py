"""What each reason code says, in English msgids; the Django side translates them (the
catalogue carries their Vietnamese), standalone callers may use them as they are.

The codes are stable: mail gateways and scripts match on them.
"""

from chinhthong.verify.mail_reasons import MAIL_TEXTS


def gettext_noop(text: str) -> str:
    """Marks a string for extraction (`make makemessages`) without translating it here."""
    return text


TEXTS = {
    # official
    "official_host": gettext_noop("%(host)s is “%(channel)s”, an official channel of %(agency)s."),
    "official_subdomain": gettext_noop(
        "%(host)s is under %(domain)s, the official website “%(channel)s” of %(agency)s."
    ),
    "official_facebook_page": gettext_noop(
        "This is the official Facebook page “%(channel)s” of %(agency)s."
    ),
    "official_mail_domain": gettext_noop(
        "%(address)s is on %(domain)s, the official mail domain of %(agency)s."
    ),
    "official_mail_address": gettext_noop("%(address)s is an official mail address of %(agency)s."),
    "emergency_number": gettext_noop(
        "%(phone)s is the national emergency number for %(service)s: free to call from any phone. "
        "It never asks for money, passwords or OTP codes."
    ),
    "official_phone": gettext_noop(
        "%(phone)s is the official hotline “%(channel)s” of %(agency)s."
    ),
    "official_app": gettext_noop(
        "This is the official app “%(channel)s” of %(agency)s on %(store)s."
    ),
    "official_zalo": gettext_noop("This is the official Zalo account “%(channel)s” of %(agency)s."),
    "official_account": gettext_noop(
        "This is the official %(store)s account “%(channel)s” of %(agency)s."
    ),
    # neutral information
    "redirect_unwrapped": gettext_noop(
        "The link passes through %(wrapper)s; its real destination, judged here, is %(target)s."
    ),
    "pending_review": gettext_noop(
        "“%(channel)s” is registered but still pending review: it is not confirmed as official."
    ),
    "not_registered": gettext_noop("%(host)s is not in the registry of official channels."),
    "known_site": gettext_noop(
        "%(host)s is the site of %(name)s: not an official channel in the registry, but known "
        "to the editors as a legitimate site that imitates no official channel."
    ),
    "unregistered_gov_vn": gettext_noop(
        "%(host)s is a gov.vn name, which only state bodies can register, but it is not a "
        "registered official channel."
    ),
    "official_domain_not_website": gettext_noop(
        "%(host)s belongs to a domain registered for the official mail of %(agency)s, but it is "
        "not a registered official website."
    ),
    "facebook_not_registered": gettext_noop(
        "This Facebook page is not in the registry of official channels."
    ),
    "facebook_unresolved": gettext_noop(
        "This Facebook link does not name a page (a share, group or photo link); open it only if "
        "you trust who sent it."
    ),
    "address_not_registered": gettext_noop(
        "%(address)s is not an official mail address or on an official mail domain."
    ),
    "phone_not_registered": gettext_noop(
        "%(phone)s is not a hotline in the registry of official channels. Official bodies do not "
        "ask for money, passwords or OTP codes by phone."
    ),
    "app_not_registered": gettext_noop(
        "This %(store)s app (%(app)s) is not in the registry of official channels."
    ),
    "account_not_registered": gettext_noop(
        "This %(store)s account (@%(app)s) is not in the registry of official channels."
    ),
    "zalo_not_registered": gettext_noop(
        "This Zalo account (%(app)s) is not in the registry of official channels."
    ),
    "unparseable": gettext_noop(
        "This is not a link, a domain, a mail address or a phone number that can be checked."
    ),
    # impersonation
    "typosquat": gettext_noop(
        "%(host)s differs by %(distance)s letter(s) from %(official)s, the official “%(channel)s”."
    ),
    "gov_vn_slip": gettext_noop(
        "%(host)s differs by %(distance)s letter(s) from %(official)s, the official "
        "“%(channel)s”: a typing slip or an imitation. Only %(official)s is official; what is "
        "sent to %(host)s does not reach it."
    ),
    "letter_pairs": gettext_noop(
        "%(host)s writes pairs of letters that read as one (rn as m, vv as w, cl as d, ii as u) "
        "to look like %(official)s, the official “%(channel)s”."
    ),
    "homoglyph": gettext_noop(
        "%(host)s uses letters from other alphabets that look like %(official)s, the official "
        "“%(channel)s”."
    ),
    "diacritics": gettext_noop(
        "%(host)s adds Vietnamese diacritics to %(official)s, the official “%(channel)s”."
    ),
    "leetspeak": gettext_noop(
        "%(host)s replaces letters with digits to look like %(official)s, the official "
        "“%(channel)s”."
    ),
    "suffix_swap": gettext_noop(
        "%(host)s copies the name of %(official)s, the official “%(channel)s”, under another "
        "ending."
    ),
    "text_items": gettext_noop(
        "The message holds %(count)s link(s), address(es) or phone number(s), each judged below; "
        "the message is judged by the least trustworthy."
    ),
    "text_official_items": gettext_noop(
        "Every link, address or number in the message is official, but anyone can copy official "
        "links into a message: they are safe to open, while what the message asks is not "
        "confirmed. Check who sent it, and never pay or give codes because of it."
    ),
    "text_partly_official": gettext_noop(
        "Official links or addresses beside one that is not in the registry (%(item)s) do not make "
        "the message official: scammers mix real links with their own. Trust only the parts "
        "marked official."
    ),
    "hyphen_for_dot": gettext_noop(
        "%(host)s writes the official %(official)s (“%(channel)s”) with a hyphen in place of a "
        "dot: a different name, owned by someone else."
    ),
    "printed_cut_short": gettext_noop(
        "“%(printed)s” is the address of “%(channel)s” as %(document)s printed it, cut short: "
        "the real one is %(real)s. The shortened address leads to another page."
    ),
    "printed_differs": gettext_noop(
        "“%(printed)s” is the address of “%(channel)s” as %(document)s printed it, but the real "
        "one is %(real)s."
    ),
    "printed_invalid": gettext_noop(
        "“%(printed)s” is the address of “%(channel)s” as %(document)s printed it; it is not a "
        "valid address. The real one is %(real)s."
    ),
    "printed_invalid_pending": gettext_noop(
        "“%(printed)s” is the address of “%(channel)s” as %(document)s printed it; it is not a "
        "valid address (it cannot be opened), and the real page is still being confirmed. Do "
        "not trust a page that claims to be it until the registry lists it."
    ),
    "printed_pending": gettext_noop(
        "“%(printed)s” is the address of “%(channel)s” as %(document)s printed it, and the real "
        "page is still being confirmed. Do not trust a page that claims to be it until the "
        "registry lists it."
    ),
    "agency_name_in_local_part": gettext_noop(
        "%(address)s writes the name of %(agency)s before the @, but the mailbox is on "
        "%(domain)s, not on a domain of that body. State bodies write from their own domains."
    ),
    "agency_name": gettext_noop(
        "%(host)s is written with the name of %(agency)s (“%(words)s”) but is not one of its "
        "channels in the registry."
    ),
    "combosquat": gettext_noop(
        "%(host)s joins the name of %(official)s, the official “%(channel)s”, with other words to "
        "look official."
    ),
    "embedded_host": gettext_noop(
        "%(host)s starts with the official %(official)s but belongs to %(registrable)s."
    ),
    "url_userinfo": gettext_noop(
        "The link shows %(shown)s before an “@”, but it really opens %(host)s."
    ),
    "url_backslash": gettext_noop(
        "The link hides %(shown)s behind a backslash; browsers really open %(host)s."
    ),
    "facebook_agency_name": gettext_noop(
        "facebook.com/%(username)s is named after %(agency)s but is not one of its pages in the "
        "registry of official channels."
    ),
    "agency_name_gov_vn": gettext_noop(
        "%(host)s is written with the name of %(agency)s (“%(words)s”) but is not one of its "
        "channels in the registry. A name under gov.vn does not prove who sends from it: check "
        "the directory."
    ),
    "facebook_lookalike": gettext_noop(
        "facebook.com/%(username)s imitates the official page facebook.com/%(official)s "
        "(“%(channel)s”)."
    ),
    "account_lookalike": gettext_noop(
        "The %(store)s account @%(app)s imitates @%(official)s, the official account “%(channel)s”."
    ),
    "lookalike_sender": gettext_noop(
        "The address %(address)s is on %(domain)s, which imitates %(official)s, the official "
        "“%(channel)s”."
    ),
    "disguised_sender_domain": gettext_noop(
        "The address %(address)s only looks like one on %(official)s, the official "
        "“%(channel)s”: its domain is written %(domain)s, with characters (full-width letters, "
        "other dots, invisible characters) that mail programs and mail servers do not read as "
        "%(official)s, so it is another domain."
    ),
    "official_domain_in_local_part": gettext_noop(
        "%(address)s writes %(official)s, the domain of the official “%(channel)s”, before the "
        "@: that proves nothing, the mailbox is at %(domain)s."
    ),
    "display_name": gettext_noop(
        "The sender calls itself “%(name)s” but writes from %(address)s, which is not an official "
        "address of %(agency)s."
    ),
    # malicious
    "blocklisted_url": gettext_noop("This link is on the blocklist “%(source)s”."),
    "blocklisted_host": gettext_noop("%(host)s is on the blocklist “%(source)s”."),
    # suspicious
    "host_not_dns": gettext_noop(
        "The link's host name %(host)s is longer than a real domain name can be (253 "
        "characters in all, 63 between two dots): no site has it. Such links are made to "
        "confuse checks; do not open it."
    ),
    "raw_ip": gettext_noop(
        "The link goes to a bare IP address (%(host)s) instead of a named site."
    ),
    "shortener": gettext_noop("%(host)s is a link shortener that hides the real destination."),
    "script_url": gettext_noop(
        "A “%(scheme)s” link runs code or carries content instead of opening a site."
    ),
    "gov_mimic": gettext_noop(
        "%(host)s poses as a government site (“gov”) but is not under gov.vn."
    ),
    "mixed_script": gettext_noop("%(host)s mixes letters from different alphabets."),
    # suspicious: senders
    "malformed_address": gettext_noop(
        "%(address)s is not a real mail address: no mailbox has %(characters)s in its name. "
        "Such addresses are made to pass for an official one; do not write to it or open it "
        "as a link."
    ),
    "encoded_address": gettext_noop(
        "%(address)s is not a real mail address: it hides part of the address in an encoded "
        "word (“=?…?=”), which mail programs must not decode inside an address. Some show it "
        "as another address, which may look official; the receiving server checks it as "
        "written."
    ),
    "several_senders": gettext_noop(
        "The sender names several mail addresses (%(addresses)s); mail programs may show only "
        "one of them, so it is not one official sender."
    ),
    # suspicious: a whole email (verify/mail.py) whose receiving server's results cannot be
    # read, replayed by tests/verify/test_authentication_results_quoting.py
    "unreadable_authentication": gettext_noop(
        "The message claims to come from the official domain %(domain)s, but the receiving "
        "server's authentication results cannot be read with certainty (text the sender chose "
        "breaks them, or they are cut off): the sender is not confirmed."
    ),
    # suspicious: archives inside archives (verify/mail_attachments.py)
    "archive_too_deep": gettext_noop(
        "The archive “%(name)s” lies more than %(limit)s levels deep in archives inside "
        "archives, a trick to get past virus scanners; it was not opened."
    ),
    "archive_partly_checked": gettext_noop(
        "The archive “%(name)s” could not be checked completely: it unpacks to more than can "
        "be checked safely, or in a way that cannot be opened here. It may hide programs; do "
        "not extract it."
    ),
}


def english(code: str, params: dict) -> str:
    template = TEXTS.get(code, code)
    try:
        return template % params
    except (KeyError, ValueError):
        return template


# Email analysis keeps its reason texts beside its code (verify/mail_reasons.py).
TEXTS.update(MAIL_TEXTS)
