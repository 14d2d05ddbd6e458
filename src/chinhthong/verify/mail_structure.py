"""How large a message's structure is, counted before the parser is trusted with it: lines (a
bare CR ends one, as LF and CRLF do), boundary lines, declarations of nested parts, and the
parser's work bounded as nesting times lines; and where the header block ends."""

MAX_HEAD_BYTES = 256 * 1024  # header block of the message itself
MAX_FIELD = 2048  # characters of one header value that are parsed
MAX_CONTAINERS = 100  # multipart and message/* declarations the parser is trusted with
MAX_BOUNDARY_LINES = 4 * 500  # lines starting with "--" (boundaries) the parser is trusted with
MAX_LINES = 500_000  # a 25 MB message of base64 has 340 000


# Lines × the boundaries that may be open around them: the parser matches every line against
# every open boundary (20 levels × 499,000 lines took 1.2 s, 99 levels 4 s). A 25 MB message
# of base64 under three multiparts counts 1 million; 15 messages forwarded with a document
# each, 1.4 million.
MAX_NESTED_LINES = 5_000_000


def line_count(raw: bytes, start: int = 0, end: int | None = None) -> int:
    """Lines in raw[start:end] as the parser splits them: at LF, CRLF and a bare CR alike."""
    end = len(raw) if end is None else end
    crlf = raw.count(b"\r\n", start, end)
    return raw.count(b"\n", start, end) + raw.count(b"\r", start, end) - crlf


def _blank_line(raw: bytes) -> tuple[int, int]:
    """Start and end of the first empty line (the end of the header block), or (-1, -1); the
    start is that of the line break ending the last header line. Line breaks are LF, CRLF and a
    bare CR, so an empty line shows as LF LF, LF CR or CR CR where the two breaks meet."""
    found = [at for pair in (b"\n\n", b"\n\r", b"\r\r") if (at := raw.find(pair)) >= 0]
    if not found:
        return -1, -1
    at = min(found)
    start = at - 1 if raw[at : at + 1] == b"\n" and raw[at - 1 : at] == b"\r" else at
    return start, at + 1 + (2 if raw[at + 1 : at + 3] == b"\r\n" else 1)


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    start, _ = _blank_line(raw)
    if start < 0:
        return raw, b""
    return raw[:start], raw[start:]


def head_of(raw: bytes) -> bytes:
    """The header block alone, at most MAX_HEAD_BYTES (cut at a line end)."""
    head = raw[:MAX_HEAD_BYTES]
    start, _ = _blank_line(head)
    if start >= 0:
        return head[:start] + b"\n\n"
    end = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    return head[: end or len(head)] + b"\n"


def header_fields(head: bytes) -> list[bytes]:
    """Header fields with their folded continuation lines."""
    fields: list[list[bytes]] = []
    for line in head.splitlines():  # bytes.splitlines: at LF, CRLF and CR, like the parser
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1].append(line)
        else:
            fields.append([line])
    return [b"\n".join(lines) for lines in fields]


def structure_too_large(raw: bytes) -> bool:
    """Whether the parser would build more structure than is safe: its cost grows with the
    number of lines, of parts (lines starting with "--") and of containers (mentions of
    multipart/ and message/), and with lines × the boundaries open around them. Lines are
    counted as the parser splits them, at a bare CR as at LF and CRLF."""
    if line_count(raw) > MAX_LINES:
        return True
    if raw.count(b"\n--") + raw.count(b"\r--") > MAX_BOUNDARY_LINES:
        return True
    lowered = raw.lower()
    if lowered.count(b"multipart/") + lowered.count(b"message/") > MAX_CONTAINERS:
        return True
    return _nesting_work(raw, lowered) > MAX_NESTED_LINES


def _nesting_work(raw: bytes, lowered: bytes) -> int:
    """An upper bound of the parser's boundary matches, found without parsing: each line is
    matched against every boundary open around it. A boundary opens only after the
    Content-Type declaring it, which names "multipart/" and "boundary", so a line has at most
    as many open around it as there are declarations before it (each
    message/delivery-status adds a match of its own)."""
    marks: list[tuple[int, int]] = []
    for kind, needle in enumerate((b"multipart/", b"boundary", b"message/delivery-status")):
        # The first and the last are at most MAX_CONTAINERS (checked before); past as many
        # mentions of "boundary", the count of "multipart/" bounds the declarations.
        at, found = lowered.find(needle), 0
        while at >= 0 and found <= MAX_CONTAINERS:
            marks.append((at, kind))
            found += 1
            at = lowered.find(needle, at + len(needle))
    marks.sort()
    seen, work, start = [0, 0, 0], 0, 0
    for at, kind in [*marks, (len(raw), 0)]:
        work += line_count(raw, start, at) * (min(seen[0], seen[1]) + seen[2])
        seen[kind] += 1
        start = at
    return work
