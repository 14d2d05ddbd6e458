"""Checking a sender: a pasted address or sender line, a mailbox with its display name, as
mail programs read them (mailboxes.py). Part of Engine (engine.py), which holds the registry
index and the host analyser these checks use."""

import re

from chinhthong.verify.domains import readable
from chinhthong.verify.mailboxes import (
    ADDRESS_IN_TEXT,
    address_label,
    bare_domain,
    host_or_none,
    is_mailto,
    mailboxes,
    mailto_recipients,
    unusable_characters,
    visible,
    written_as,
)
from chinhthong.verify.results import Reason, Result, Verdict, decide, reason
from chinhthong.verify.text import fold

MAX_MAILBOXES = 5  # mailboxes judged from one sender line
MAX_DISPLAY = 1000  # characters of a display name searched for addresses


# A domain written in a name or a local part: labels joined by dots (vanthu.chinhphu.vn).
_DOMAIN_WRITTEN = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


class SenderChecks:
    def check_address(self, text: str) -> Result:
        """A sender as mail programs read it (see ``mailboxes``): one mailbox, or several,
        which are no one official sender. A mailto link's recipients are those before its
        "?" and those its query adds (to, cc, bcc)."""
        found = mailto_recipients(text) if is_mailto(text) else mailboxes(text)
        if len(found) > 1:
            parts = [
                self.check_mailbox(address_label(display, address), display, address)
                for display, address in found[:MAX_MAILBOXES]
            ]
            several = reason(
                "several_senders",
                Verdict.SUSPICIOUS,
                addresses=", ".join(address for _, address in found[:MAX_MAILBOXES]),
            )
            return decide(text, "address", [several], parts=parts)
        display, address = found[0] if found else ("", text.strip())
        return self.check_mailbox(text, display, address)

    def check_mailbox(self, text: str, display: str, address: str) -> Result:
        """One mailbox ``address`` (local@domain) shown with the name ``display``; ``text`` is
        what the answer calls it."""
        if "=?" in address:
            return self._encoded_address(text, display, address)
        local, _, domain_text = address.rpartition("@")
        domain = host_or_none(domain_text)
        if not local or not domain:
            return Result(
                text, "address", Verdict.UNKNOWN, (reason("unparseable", Verdict.UNKNOWN),)
            )
        address = f"{local}@{domain}"
        shown = f"{local}@{readable(domain)}"
        reasons: list[Reason] = []
        claimed = self.index.mail_domain_for(domain) is not None
        unusable = unusable_characters(local, on_official_domain=claimed)
        if unusable:
            # evil.com\@quangninh.gov.vn: no mailbox on the official domain has this name,
            # and a browser given it opens evil.com.
            reasons.append(
                reason("malformed_address", Verdict.SUSPICIOUS, address=shown, characters=unusable)
            )
        ref = None if unusable else self.index.mail_addresses.get(address.lower())
        official = None if unusable or ref else self.index.mail_domain_for(domain)
        if (ref or official) and not written_as(bare_domain(domain_text), domain):
            channel, registered = (ref, domain) if ref else official
            return self._disguised_domain(text, local, domain_text, registered, channel)
        if ref:
            reasons.append(
                reason(
                    "official_mail_address", Verdict.OFFICIAL, address=shown, agency=ref.agency_name
                )
            )
            return decide(text, "address", reasons, channel=ref)
        if official:
            ref, registered = official
            reasons.append(
                reason(
                    "official_mail_domain",
                    Verdict.OFFICIAL,
                    address=shown,
                    domain=registered,
                    agency=ref.agency_name,
                )
            )
            return decide(text, "address", reasons, channel=ref)
        found = self.hosts.analyse(domain)
        imitated = found.imitated.for_sender() if found.imitated else None
        for item in found.reasons:
            if item.verdict is Verdict.IMPERSONATION and imitated is not None:
                reasons.append(
                    reason(
                        "lookalike_sender",
                        Verdict.IMPERSONATION,
                        address=shown,
                        domain=readable(domain),
                        official=item.params_dict.get("official", ""),
                        channel=imitated.name,
                    )
                )
            if item.verdict not in (Verdict.OFFICIAL, Verdict.UNKNOWN) or item.code == "known_site":
                reasons.append(item)
        named = self._display_name_claim(display)
        if named is not None:
            reasons.append(_display_name_reason(display, shown, named))
            imitated = imitated or named
        in_local = self._official_domain_in(local)
        if in_local is not None:
            # vanthu.chinhphu.vn@gmail.com: the official domain before the @ proves nothing,
            # the mailbox is on the domain after it.
            channel, written = in_local
            reasons.append(
                reason(
                    "official_domain_in_local_part",
                    Verdict.IMPERSONATION,
                    address=shown,
                    official=written,
                    domain=readable(domain),
                    channel=channel.name,
                )
            )
            imitated = imitated or channel
        if imitated is None:
            # congan.quangninh@gmail.com: an agency's name before the @ of another domain.
            written = re.sub(r"[._+]", "-", local.lower())
            agency = self.index.agency_marks.match(written, written.split("-"))
            if agency is not None:
                imitated = agency.key.for_sender()
                reasons.append(
                    reason(
                        "agency_name_in_local_part",
                        Verdict.IMPERSONATION,
                        address=shown,
                        agency=imitated.agency_name,
                        domain=readable(domain),
                    )
                )
        if not any(r.verdict is not Verdict.UNKNOWN for r in reasons):
            reasons.append(reason("address_not_registered", Verdict.UNKNOWN, address=shown))
        return decide(text, "address", reasons, lookalike_of=imitated)

    @staticmethod
    def _disguised_domain(text: str, local: str, written: str, registered: str, ref) -> Result:
        """x@ｑｕａｎｇｎｉｎｈ.gov.vn, x@quangninh。gov。vn, x@quang\u200bninh.gov.vn: a domain
        that IDNA folds into an official one, as a browser folds a link's host. Mail programs,
        mail servers and DMARC checkers take the domain as written, which is another domain
        (or none at all), so the address only looks official."""
        written = visible(bare_domain(written))
        found = reason(
            "disguised_sender_domain",
            Verdict.IMPERSONATION,
            address=f"{visible(local)}@{written}",
            domain=written,
            official=readable(registered),
            channel=ref.name,
        )
        return decide(text, "address", [found], lookalike_of=ref)

    def _encoded_address(self, text: str, display: str, address: str) -> Result:
        """vanphong@=?utf-8?q?quangninh.gov.vn?=: an encoded word inside an address, which RFC
        2047 section 5 forbids. Some programs decode it and show an official address; the
        receiving server checks the domain as written, so it is no real address."""
        reasons = [reason("encoded_address", Verdict.SUSPICIOUS, address=visible(address)[:300])]
        named = self._display_name_claim(display)
        if named is not None:
            reasons.append(_display_name_reason(display, visible(address)[:300], named))
        return decide(text, "address", reasons, lookalike_of=named)

    def _display_name_claim(self, display: str):
        """The official channel whose agency, name or mail address a display name claims."""
        if "@" in display:
            # "vanphong@quangninh.gov.vn" <xacminh@evil.top>, or the same unquoted: an
            # official address as the name.
            for match in ADDRESS_IN_TEXT.finditer(display[:MAX_DISPLAY]):
                domain = host_or_none(match.group().rpartition("@")[2])
                official = self.index.mail_domain_for(domain) if domain else None
                if official:
                    return official[0]
        # "chinhphu.vn" <thongbao@outlook.com>: an official domain as the name.
        in_name = self._official_domain_in(display[:MAX_DISPLAY])
        if in_name is not None:
            return in_name[0]
        folded = fold(display)
        if len(folded) < 3:
            return None
        names = self.index.official_names
        if folded in names:
            return names[folded]
        padded = f" {folded} "
        for name, ref in names.items():
            if " " in name and f" {name} " in padded:
                return ref
        return None

    def _official_domain_in(self, text: str):
        """(channel, domain as written) of an official website or mail domain written in
        ``text`` (a display name, a local part), or None."""
        for match in _DOMAIN_WRITTEN.finditer(text.lower()):
            written = match.group().strip(".-_")
            # hotro-dichvucong.gov.vn: the domain may follow a word and a hyphen.
            starts = [0, *(m.end() for m in re.finditer(r"[-_]", written.split(".", 1)[0]))]
            for start in starts:
                host = host_or_none(written[start:])
                found = host and (self.index.website_for(host) or self.index.mail_domain_for(host))
                if found:
                    return found[0], found[1]
        return None


def _display_name_reason(display: str, address: str, named) -> Reason:
    """The name shown claims an official body the address does not belong to."""
    return reason(
        "display_name",
        Verdict.IMPERSONATION,
        name=display,
        address=address,
        agency=named.agency_name,
    )
