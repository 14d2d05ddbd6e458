"""How a sender line is read, as mail programs read it: its mailboxes, display names and
addresses (RFC 5322 quoting, comments, angle brackets, groups), mailto links, and whether a
domain is written exactly as an official one. Used for pasted senders (engine.py) and the
sender headers of whole messages (mail.py)."""

import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote

import idna

from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier

# A header name pasted with the sender ("From: …").
_HEADER_NAME = re.compile(r"\s*(?:from|sender|reply-to|return-path)\s*:\s*", re.IGNORECASE)

MAX_LINE = 100_000  # characters of a sender line read
MAX_QUERY_FIELDS = 200  # fields of a mailto link's query read


# What a real mailbox name holds: letters, digits and the RFC 5322 atext symbols, less those
# that turn an address into a link to another site ("/", "?", "#", "\\") or route mail
# elsewhere ("%"); quoting, spaces and a second "@" are legal in RFC 5322 and found in no
# mailbox anyone is given. "/", "?", "#" and "%" are atext, and mailing services write them
# in the return addresses of newsletters (Online#3.19578@newsletter.online.com): only on an
# official domain, whose mailboxes are people's and offices', do they make an address that
# only looks official (``unusable_characters(…, on_official_domain=True)``).
_MAILBOX_NAME = re.compile(r"[\w.!$&'*+=^`{|}~-]+")
_LINK_CHARACTERS = frozenset("/?#%")


def mailboxes(text: str) -> list[tuple[str, str]]:
    """[(display name, address)] of each mailbox a sender line names, as mail programs read
    it: mailboxes are separated by commas outside quotes, comments and angle brackets; the
    address of one is in its last angle brackets and all the rest is the name a reader sees
    (``vanphong@quangninh.gov.vn <x@evil.com>`` is x@evil.com, whatever Python's parseaddr
    says); without brackets, a comment after the address is the name. Parts with no "@"
    (``Nguyen, Van A <…>``) name no mailbox."""
    found = []
    for group, piece in _sender_pieces(text):
        if "@" not in piece:
            continue
        opening, closing, comment = _last_brackets(piece)
        if opening >= 0:
            address = piece[opening + 1 : closing]
            display = piece[:opening] + " " + piece[closing + 1 :]
        elif comment >= 0:
            address, display = piece[:comment], piece[comment + 1 : -1]
        else:
            address, display = piece, ""
        display = _unquoted(display)
        if group:
            display = f"{group} {display}".strip()
        found.append((display, address.strip()))
    return found


def _sender_pieces(text: str) -> list[tuple[str, str]]:
    """[(group name or "", piece)] of a sender line without its header name."""
    text = text.strip()[:MAX_LINE]
    header = _HEADER_NAME.match(text)
    if header:
        text = text[header.end() :]
    return _top_level_split(text)


def is_sender_line(text: str) -> bool:
    """Whether one line reads as a sender line (``From: A <a@b.vn>, c@d.vn (C)``, a group
    ``Nhóm: a@b.vn, c@d.vn;``) and not as a sentence: every piece between commas holds a
    mailbox in angle brackets after its name, or addresses alone with comments around them
    (``a@b.vn c@d.vn``, which mail programs read as no mailbox anyone has)."""
    pieces = _sender_pieces(text)
    if not pieces:
        return False
    for _, piece in pieces:
        if "@" not in piece:
            return False
        bare = "".join(char for _, char in _structural(piece) if char not in "()")
        if "<" not in bare and not all("@" in word for word in bare.split()):
            return False
    return True


def _structural(text: str):
    """(position, character) of each character outside quoted strings and comments, and of
    the parentheses that open and close a comment at the top level (RFC 5322 3.2.2-3.2.4)."""
    quoted = escaped = False
    depth = 0
    for at, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\" and (quoted or depth):
            escaped = True
        elif char == '"' and not depth:
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
            if depth == 1:
                yield at, char
        elif char == ")" and depth:
            depth -= 1
            if not depth:
                yield at, char
        elif not depth:
            yield at, char


def _top_level_split(text: str) -> list[tuple[str, str]]:
    """``text`` split at the commas and semicolons outside quotes, comments and angle
    brackets, each piece with the name of the group it is in (RFC 5322 3.4: ``name:`` opens a
    group, ``;`` closes it), or "". The group's name is shown with its mailboxes."""
    pieces, start, angle, group = [], 0, False, None
    for at, char in _structural(text):
        if char in "<>":
            angle = char == "<"
        elif angle:
            continue
        elif char in ",;":
            pieces.append((group or "", text[start:at]))
            start = at + 1
            if char == ";":
                group = None
        elif char == ":" and group is None:
            group = _unquoted(text[start:at])
            start = at + 1
    pieces.append((group or "", text[start:]))
    return [(group, piece.strip()) for group, piece in pieces if piece.strip()]


def _last_brackets(piece: str) -> tuple[int, int, int]:
    """(opening "<" of the last angle brackets outside quotes and comments, and its ">" or
    the end, or -1, -1), and where a comment closing the piece opens (or -1)."""
    opening, closing, comment, comment_end = -1, -1, -1, -1
    for at, char in _structural(piece):
        if char == "(":
            comment = at
        elif char == ")":
            comment_end = at
        elif char == "<":
            opening, closing = at, -1
        elif char == ">" and opening >= 0 and closing < 0:
            closing = at
    if opening >= 0 and closing < 0:
        closing = len(piece)
    closes_with_comment = comment > 0 and comment_end == len(piece) - 1
    return opening, closing, comment if closes_with_comment else -1


def _unquoted(display: str) -> str:
    display = " ".join(display.split())
    if len(display) >= 2 and display[0] == display[-1] == '"':
        display = re.sub(r"\\(.)", r"\1", display[1:-1])
    return display.strip()


def unusable_characters(local: str, *, on_official_domain: bool = True) -> str:
    """The characters of a mailbox name (the part before the last "@") that no real mailbox
    has, each shown once ("\\ /"), or "". On another domain than an official one, the atext
    symbols that make a link of an address ("/", "?", "#", "%") are a mailbox's."""
    local = unicodedata.normalize("NFC", local)  # letters typed with combining accents
    if _MAILBOX_NAME.fullmatch(local):
        return ""
    unusable = dict.fromkeys(_MAILBOX_NAME.sub("", local))
    if not on_official_domain:
        unusable = {c: None for c in unusable if c not in _LINK_CHARACTERS}
    return " ".join(
        c if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}" for c in unusable
    )


def is_mailto(text: str) -> bool:
    return text.lstrip()[:7].lower() == "mailto:"


def mailto_recipients(text: str) -> list[tuple[str, str]]:
    """The mailboxes a mailto link writes to: those before its "?" and those its query adds
    (``?to=``, ``cc=``, ``bcc=``, percent-encoded or not, RFC 6068)."""
    target, _, query = text.split(":", 1)[1].partition("?")
    found = mailboxes(target)
    for field in query.split("&")[:MAX_QUERY_FIELDS]:
        name, _, value = field.partition("=")
        if unquote(name).strip().lower() in ("to", "cc", "bcc"):
            found.extend(mailboxes(unquote(value)))
    return found


def address_label(display: str, address: str) -> str:
    return f'"{display}" <{address}>' if display else address


def bare_domain(text: str) -> str:
    """A domain as written, trimmed as ``_host_or_none`` trims it before folding it."""
    return text.strip().rstrip(">").strip()


def written_as(written: str, host: str) -> bool:
    """Whether the mail domain ``written`` is the canonical ``host`` as mail programs and DMARC
    checkers read it: every label in ASCII (any case), or the U-label of an xn-- label. A form
    that only IDNA/UTS-46 folds into ``host`` (full-width letters, "。" for a dot, zero-width
    characters, capital letters outside ASCII, a trailing dot) is another domain."""
    if written.isascii():
        return written.lower() == host
    labels, ascii_labels = written.split("."), host.split(".")
    return len(labels) == len(ascii_labels) and all(
        label.lower() == ascii_label
        if label.isascii()
        else ascii_label.startswith("xn--") and label == _u_label(ascii_label)
        for label, ascii_label in zip(labels, ascii_labels, strict=True)
    )


@lru_cache(maxsize=4096)
def _u_label(ascii_label: str) -> str:
    try:
        return idna.decode(ascii_label)
    except (idna.IDNAError, UnicodeError, ValueError):
        return ascii_label


def visible(text: str) -> str:
    """``text`` with the characters a reader cannot see (zero-width, soft hyphen, controls,
    spaces other than the plain one) named as U+XXXX."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        c if c == " " or (c.isprintable() and not c.isspace()) else f"[U+{ord(c):04X}]"
        for c in text
    )


# An address starts where a run of the characters a local part may hold starts, and is at
# most as long as RFC 5321 allows (64 before the @, 63 a label): without the look-behind and
# the bounds, a long run without an @ was retried from each of its characters, and 10,000
# of them held the interpreter for 0.13 s (bench/attack.py).
ADDRESS_IN_TEXT = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]{1,64}"
    r"@[\w\u00C0-\u1EF9-]{1,63}(?:\.[\w\u00C0-\u1EF9-]{1,63}){1,126}",
    re.UNICODE,
)


def host_or_none(text: str) -> str | None:
    try:
        return canonical.canonical_host(text.strip().rstrip(">").strip())
    except InvalidIdentifier:
        return None
