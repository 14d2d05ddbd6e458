"""Authentication-Results (RFC 8601) as the receiving server wrote them: which fields to trust
and what they say of SPF, DKIM and DMARC for the From domain. Why only the topmost run of the
receiving server's fields counts, and why quoted strings and comments are opaque: mail.py."""

from chinhthong.verify.mail_structure import MAX_FIELD

MAX_AUTH_FIELDS = 20  # Authentication-Results fields read
# Within one Authentication-Results field (``trusted_results``): for SPF and DMARC a failure
# outranks any other result, which outranks a pass; for DKIM an aligned pass of any signature
# wins, then a failure. Results not named rank 1.
_RANK = {"fail": 3, "pass": 0}
_DKIM_RANK = {"pass": 3, "fail": 2}
UNREADABLE = "unreadable"


def trusted_results(values: list[str], from_domain: frozenset[str]) -> dict[str, str]:
    """method -> result from the receiving server's Authentication-Results (``values``: the
    run of fields at the top, see ``_header_values``), for the From domain written as one of
    ``from_domain``.

    The topmost field is the one the receiving server added last, and its authserv-id is
    trusted. Of that server's fields only those directly below it count: a server writes its
    fields together (one, or one per milter), while a field the sender forged with its
    authserv-id sits below at least the server's own Received line and the sender's other
    headers. For each method the topmost of them reporting it decides, so that no lower field
    can replace its result.

    Within one field a failure outranks a pass for SPF and DMARC (a second result of either is
    text the sender had the server copy), then any other result; for DKIM an aligned pass wins
    (a message may carry several signatures), then "fail". A field that cannot be read to its
    end (a quote or comment left open by copied text, or cut at MAX_FIELD) confirms nothing:
    its methods are "unreadable" unless they failed."""
    found: dict[str, str] = {}
    trusted = None
    for value in values[:MAX_AUTH_FIELDS]:
        server, results, complete = _read_authentication_results(value)
        trusted = trusted if trusted is not None else server
        if server != trusted:
            break
        here: dict[str, str] = {}
        for method, result, props in results:
            if method == "dmarc" and not _names_domain(props.get("header.from"), from_domain):
                result = "other_domain"
            elif method == "dkim" and result == "pass" and not _aligned(props, from_domain):
                result = "unaligned"
            rank = _DKIM_RANK if method == "dkim" else _RANK
            if method not in here or rank.get(result, 1) > rank.get(here[method], 1):
                here[method] = result
        if not complete:
            for method in ("spf", "dkim", "dmarc"):
                if here.get(method) != "fail":
                    here[method] = UNREADABLE
        for method, result in here.items():
            found.setdefault(method, result)  # a field above decided it already
    return found


def _names_domain(value: str | None, domains: frozenset[str]) -> bool:
    """Whether a result's header.from names the From domain (or names none)."""
    return value is None or value.lower().strip() in domains


def _aligned(props: dict[str, str], domains: frozenset[str]) -> bool:
    """Whether a DKIM signature's domain is the From domain, its parent or a subdomain of it;
    a result that names no signing domain is not aligned."""
    signer = props.get("header.d") or props.get("header.i", "").rpartition("@")[2]
    signer = signer.lower().strip(".")
    return bool(signer) and any(
        signer == domain or domain.endswith("." + signer) or signer.endswith("." + domain)
        for domain in domains
    )


def parse_authentication_results(value: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """RFC 8601: ("mx.example.vn", [("dmarc", "fail", {"header.from": "quangninh.gov.vn"})])."""
    server, results, _ = _read_authentication_results(value)
    return server, results


def _read_authentication_results(value: str):
    """(authserv-id, [(method, result, properties)], whether the field was read to its end)."""
    complete = len(value) <= MAX_FIELD
    pieces, closed = _resinfo_words(value[:MAX_FIELD])
    head = pieces[0]
    server = head[0][0].lower() if head else ""
    results = []
    for words in pieces[1:]:
        pairs = _pairs(words)
        if not pairs or pairs[0][0] != 0:
            continue  # "none", or a piece that does not start with method=result
        _, method, result = pairs[0]
        props = {key.lower(): val for _, key, val in pairs[1:]}
        results.append((method.split("/")[0].lower(), result.lower(), props))
    return server, results, complete and closed


def _resinfo_words(value: str) -> tuple[list[list[tuple[str, int]]], bool]:
    """A field split at the ";" outside quoted strings and comments (RFC 8601 2.2, RFC 5322
    3.2), each piece as its words: (text, where its first quoted string starts or -1).
    Comments, nested, are dropped; quoted strings are opaque and unquoted; a backslash escapes
    the next character in both. A receiving server copies the sender's text into both
    ("domain of \"a); dmarc=pass (\"@evil.com"), so a quoted string inside a comment is
    opaque too. Also whether every quoted string and comment was closed."""
    pieces: list[list[tuple[str, int]]] = [[]]
    word: list[str] = []
    quote_at, in_word = -1, False
    depth, quoted, escaped = 0, False, False

    def end_word():
        nonlocal word, quote_at, in_word
        if in_word:
            pieces[-1].append(("".join(word), quote_at))
        word, quote_at, in_word = [], -1, False

    for char in value:
        if escaped:
            escaped = False
            if not depth:
                word.append(char)
        elif char == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            if char == '"':
                quoted = False
            elif not depth:
                word.append(char)
        elif char == '"':
            quoted = True
            if not depth:
                quote_at = len(word) if quote_at < 0 else quote_at
                in_word = True
        elif depth:
            depth += {"(": 1, ")": -1}.get(char, 0)
        elif char == "(":
            end_word()
            depth = 1
        elif char == ";":
            end_word()
            pieces.append([])
        elif char.isspace():
            end_word()
        else:
            word.append(char)
            in_word = True
    end_word()
    return pieces, not (quoted or depth or escaped)


def _pairs(words: list[tuple[str, int]]) -> list[tuple[int, str, str]]:
    """(index of the word it starts at, key, value) of each "key=value" among ``words``,
    spaces around "=" allowed; the "=" of a key is never inside a quoted string."""
    found = []
    at = 0
    while at < len(words):
        start = at
        text, quote_at = words[at]
        at += 1
        equals = text.find("=")
        if equals >= 0 and (quote_at < 0 or equals < quote_at):
            key, value = text[:equals], text[equals + 1 :]
        elif at < len(words) and words[at][0].startswith("=") and words[at][1] != 0:
            key, value = text, words[at][0][1:]
            at += 1
        else:
            continue
        if not value and at < len(words):
            value = words[at][0]
            at += 1
        if key:
            found.append((start, key, value))
    return found
