"""Which Authentication-Results fields the gateway lets the engine believe.

The engine believes the topmost Authentication-Results field of a message (verify/mail.py):
right for a message as the receiving server hands it over, wrong for one a stranger could have
written whole. At the gateway only the fields written under the gateway's own authserv-ids
count (RFC 8601 section 5): the milter keeps those for the copy it judges, and so does the
tipline for a message forwarded to it as an attachment, whose top field may be the sender's
own where the forwarder's provider writes none. The message delivered keeps every field.
"""

import re

FIELD = "authentication-results"
_AUTHSERV_ID = re.compile(rb"\s*([^\s;]+)")


def authserv_id(value: bytes) -> str:
    found = _AUTHSERV_ID.match(value)
    return found.group(1).decode("ascii", "replace").lower() if found else ""


def believed(fields: list[tuple[str, bytes]], trusted) -> list[tuple[str, bytes]]:
    """``fields`` (name, value) without the Authentication-Results of servers not trusted."""
    return [
        (name, value)
        for name, value in fields
        if name.lower() != FIELD or authserv_id(value) in trusted
    ]


def keep_trusted(raw: bytes, trusted) -> bytes:
    """``raw`` with the Authentication-Results fields of servers not trusted removed from its
    header block (the body is left as it is)."""
    end = _head_end(raw)
    head, rest = raw[:end], raw[end:]
    kept, skipping = [], False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):  # a folded line belongs to the field above
            if not skipping:
                kept.append(line)
            continue
        name, _sep, value = line.partition(b":")
        skipping = name.strip().lower() == FIELD.encode() and authserv_id(value) not in trusted
        if not skipping:
            kept.append(line)
    return b"".join(kept) + rest


def _head_end(raw: bytes) -> int:
    """Where the header block ends: at its empty line (kept with the body)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        found = raw.find(separator)
        if found != -1:
            return found + len(separator) // 2
    return len(raw)
