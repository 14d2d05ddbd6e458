"""Reading a message's header fields: the parser's policy (values cut before they are parsed,
the MIME structure fields kept as plain strings), the fields analysed, and sender addresses
as mail programs read them."""

import codecs
import contextlib
import re
from email.headerregistry import Address
from email.parser import BytesParser
from email.policy import EmailPolicy, default
from email.utils import parseaddr
from functools import lru_cache

from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier
from chinhthong.verify.mail_authentication import MAX_AUTH_FIELDS
from chinhthong.verify.mail_structure import MAX_FIELD
from chinhthong.verify.mailboxes import mailboxes

KEPT_FIELDS = frozenset(
    """from sender reply-to return-path subject authentication-results mime-version
    content-type content-transfer-encoding content-disposition""".split()
)


_STRUCTURE = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})
# The fields whose whole value decides the verdict: a value cut before it is parsed may hide
# what decides it. The Subject only labels the answer; Authentication-Results cut are read as
# unreadable (mail_authentication.py).
JUDGED_FIELDS = frozenset({"from", "sender", "reply-to", "return-path"}) | _STRUCTURE


HEADER_DEFECTS = frozenset({"InvalidHeaderDefect", "HeaderMissingRequiredValue"})


class _MailPolicy(EmailPolicy):
    """policy.default with header values bounded, and the MIME structure headers as strings."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        value = value[:MAX_FIELD].replace("\r", "").replace("\n", "")
        if name.lower() in _STRUCTURE:
            return value
        return super().header_fetch_parse(name, value)


PARSER = BytesParser(policy=_MailPolicy())


def header_values(message) -> dict[str, list[str]]:
    """The values of the fields analysed here, as written (encoded words not decoded), at
    most MAX_FIELD characters; Authentication-Results one more, so that a cut field is known.
    Of the Authentication-Results, only the run of fields at the top of them: the first one,
    the only one that may prove the sender, and those directly below it, which may only count
    against the sender (see ``trusted_results``)."""
    fields: dict[str, list[str]] = {}
    results = "authentication-results"
    run = "before"  # of Authentication-Results: "before" the first, "in" the run, "after" it
    for name, value in message.raw_items():
        key = name.strip().lower()
        if key == results:
            if run == "after":
                continue
            run = "in"
        elif run == "in":
            run = "after"
        if key in KEPT_FIELDS and len(fields.get(key, ())) < MAX_AUTH_FIELDS:
            unfolded = str(value).replace("\r", "").replace("\n", "")
            cut = MAX_FIELD + 1 if key == results else MAX_FIELD
            fields.setdefault(key, []).append(_clean(unfolded)[:cut])
    return fields


def first_value(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def _clean(value: str) -> str:
    """Undecodable bytes (kept by the parser as surrogates) become U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def decoded(name: str, value: str | None) -> str:
    if value is None:
        return ""
    try:
        return str(default.header_factory(name, value))
    except Exception:  # the header parser has its own bugs on hostile input
        return value


def parse_addresses(name: str, value: str) -> tuple[list[Address], list[str], str]:
    """(addresses with a domain, defect names, the value as decoded text)."""
    try:
        if name == "return-path":
            display, spec = parseaddr(value)
            local, _, domain = spec.rpartition("@")
            return ([Address(display, local, domain)] if local and domain else []), [], value
        header = default.header_factory(name, value)
        addresses = [a for a in header.addresses if a.domain]
        return addresses, [type(d).__name__ for d in header.defects], str(header)
    except Exception:  # the header parser has its own bugs on hostile input
        return [], ["InvalidHeaderDefect"], value


def as_mail_programs_read(value: str, parsed: list[Address]) -> list[Address]:
    """The mailboxes of a header as written, read as mail programs read them (Engine's
    ``mailboxes``: the address in the last angle brackets, the rest the name), when that reading
    finds other addresses than the stdlib's (``parsed``, the same list object otherwise)."""
    found = []
    for display, spec in mailboxes(value):
        local, _, domain = spec.rpartition("@")
        if local and domain:
            with contextlib.suppress(ValueError):
                found.append(Address(one_line(decoded("subject", display)), local, domain))
    same = [(a.username, a.domain) for a in found] == [(a.username, a.domain) for a in parsed]
    return parsed if same or not found else found


def shown_address(address: Address) -> str:
    spec = f"{address.username}@{address.domain}"
    return f"{address.display_name} <{spec}>" if address.display_name else spec


def address_text(address: Address) -> str:
    """What Engine.check_address reads: "display" <local@domain>, quoting made harmless."""
    local = re.sub(r"[\s\"<>@,;:\\()\[\]]", "_", address.username) or "_"
    display = re.sub(r"[\"\\<>]", "", address.display_name)
    return f'"{display}" <{local}@{address.domain}>' if display else f"{local}@{address.domain}"


@lru_cache(maxsize=65536)
def host_of(text: str | None) -> str | None:
    try:
        return canonical.canonical_host((text or "").strip())
    except (InvalidIdentifier, UnicodeError, ValueError):
        return None


# Codecs Python decodes with but no mail program writes text in, whose decoding takes time that
# grows with the square of the text: a 1 MB part "in punycode" held a check past the gateway's
# deadline (docs/mail-gateway.md).
_NOT_MAIL_CHARSETS = frozenset({"punycode", "idna", "unicode-escape", "raw-unicode-escape"})


def text_charset(charset: str | None) -> str:
    """The codec to decode a text part with: its declared charset when Python knows it as a
    text encoding mail uses, else UTF-8."""
    try:
        found = codecs.lookup(charset or "utf-8")
    except (LookupError, ValueError, TypeError):
        return "utf-8"
    if not found._is_text_encoding or found.name.replace("_", "-") in _NOT_MAIL_CHARSETS:
        return "utf-8"
    return found.name


def decode_text(payload: bytes, charset: str | None) -> str:
    try:
        return payload.decode(text_charset(charset), "replace")
    except (LookupError, ValueError):
        return payload.decode("utf-8", "replace")
