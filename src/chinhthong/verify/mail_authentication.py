"""Authentication-Results (RFC 8601) as the receiving server wrote them: which fields to trust
and what they say of SPF, DKIM and DMARC for the From domain. Why proof comes only from the
topmost field, and why quoted strings and comments are opaque: mail.py."""

from chinhthong.verify.mail_structure import MAX_FIELD

MAX_AUTH_FIELDS = 20  # Authentication-Results fields read
# Within one Authentication-Results field (``trusted_results``): for SPF and DMARC a failure
# outranks any other result, which outranks a pass; for DKIM an aligned pass of any signature
# wins, then an aligned failure. Results not named rank 1.
_RANK = {"fail": 3, "pass": 0}
_DKIM_RANK = {"pass": 3, "fail": 2}
UNREADABLE = "unreadable"
UNALIGNED = "unaligned"  # a result for another domain than the From domain's
# Where each method names the domain it checked (RFC 8601 section 2.7): the signing domain of
# a DKIM signature, the envelope sender (or, for a bounce, the HELO name) checked by SPF.
_CHECKED_DOMAIN = {
    "dkim": ("header.d", "header.i"),
    "spf": ("smtp.mailfrom", "smtp.helo", "smtp.ehlo"),
}
# What proves that the From domain sent the message: DMARC passed for it, or an SPF or DKIM
# pass aligned with it. Microsoft writes "bestguesspass" for a domain without a DMARC record
# whose SPF or DKIM passed aligned.
PROVEN = {"dmarc": ("pass", "bestguesspass"), "dkim": ("pass",), "spf": ("pass",)}


def trusted_results(values: list[str], from_domain: frozenset[str]) -> dict[str, str]:
    """method -> result from the receiving server's Authentication-Results (``values``: the
    run of fields at the top, see ``header_values``), for the From domain written as one of
    ``from_domain``.

    The topmost field is the one the receiving server added last, and its authserv-id is
    trusted. Proof comes from that field alone: no pass of a field below it counts. The other
    fields of the run (the same authserv-id, directly below the top one) may be the server's
    own (one per milter), or the sender's: Gmail writes its field directly above the sender's
    headers, so a field the sender placed first among them joins the run. Such a field can
    only count against the sender: its failures, its unreadable methods and its other results
    for methods the top field did not report, never a pass (``PROVEN``). For SPF and DMARC a
    failure anywhere in the run outranks the top's pass; for DKIM an aligned pass on top still
    outranks a failure below (a second signature that broke), as within one field.

    Within one field a failure outranks a pass for SPF and DMARC (a second result of either is
    text the sender had the server copy), then any other result; for DKIM an aligned pass wins
    (a message may carry several signatures), then an aligned "fail". A pass of SPF or DKIM, and
    a DKIM failure, that names another domain than the From domain (a mailing service's
    signature, a list's envelope sender) is "unaligned": it says nothing of the From domain.
    An SPF failure counts whatever domain it names: the envelope sender was forged. A field
    that cannot be read to its end (a quote or comment left open by copied text, or cut at
    MAX_FIELD) confirms nothing: its methods are "unreadable" unless they failed."""
    found: dict[str, str] = {}
    trusted = None
    for value in values[:MAX_AUTH_FIELDS]:
        server, results, complete = _read_authentication_results(value)
        top = trusted is None
        trusted = server if top else trusted
        if server != trusted:
            break
        for method, result in _field_results(results, complete, from_domain).items():
            if top or (method not in found and result not in PROVEN.get(method, ())):
                found[method] = result  # below the top, never a pass: proof only from the top
            elif result == "fail" and _rank(method, "fail") > _rank(method, found[method]):
                found[method] = result
    return found


def _rank(method: str, result: str) -> int:
    return (_DKIM_RANK if method == "dkim" else _RANK).get(result, 1)


def _field_results(results, complete: bool, from_domain: frozenset[str]) -> dict[str, str]:
    """method -> result of one field, each method's results ranked (``trusted_results``)."""
    here: dict[str, str] = {}
    for method, result, props in results:
        if method == "dmarc" and not _names_domain(props.get("header.from"), from_domain):
            result = "other_domain"
        elif not _concerns(method, result, props, from_domain):
            result = UNALIGNED
        if method not in here or _rank(method, result) > _rank(method, here[method]):
            here[method] = result
    if not complete:
        for method in ("spf", "dkim", "dmarc"):
            if here.get(method) != "fail":
                here[method] = UNREADABLE
    return here


def _names_domain(value: str | None, domains: frozenset[str]) -> bool:
    """Whether a result's header.from names the From domain (or names none)."""
    return value is None or value.lower().strip() in domains


def proven(found: dict[str, str]) -> bool:
    """Whether the results (``trusted_results``) prove that the From domain sent the message."""
    return any(found.get(method) in results for method, results in PROVEN.items())


def _concerns(method: str, result: str, props: dict[str, str], domains: frozenset[str]) -> bool:
    """Whether a result of SPF or DKIM speaks for the From domain: the domain it checked is the
    From domain, its parent or a subdomain of it (alignment, RFC 7489 section 3.1). A pass that
    names no domain proves nothing; a DKIM failure that names none still counts, as does any
    SPF failure (the envelope sender was forged, whoever it names)."""
    keys = _CHECKED_DOMAIN.get(method)
    if keys is None or result not in ("pass", "fail") or (method, result) == ("spf", "fail"):
        return True
    checked = next((props[key] for key in keys if props.get(key)), "")
    checked = checked.rpartition("@")[2].lower().strip(".")
    if not checked:
        return result == "fail"
    return any(
        checked == domain or domain.endswith("." + checked) or checked.endswith("." + domain)
        for domain in domains
    )


def parse_authentication_results(value: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """RFC 8601: ("mx.example.vn", [("dmarc", "fail", {"header.from": "quangninh.gov.vn"})])."""
    server, results, _ = _read_authentication_results(value)
    return server, results


def _read_authentication_results(value: str):
    """(authserv-id, [(method, result, properties)], whether the field was read to its end).

    A field that starts with a result (Microsoft's ``spf=fail (…) smtp.mailfrom=…; dkim=…``)
    has no authserv-id: its server is "" and its first piece is a result, since an
    authserv-id, a token or quoted string, is never followed by "=" (RFC 8601 2.2)."""
    complete = len(value) <= MAX_FIELD
    pieces, closed = _resinfo_words(value[:MAX_FIELD])
    head = pieces[0]
    pairs = _pairs(head)
    if pairs and pairs[0][0] == 0:
        server, first = "", 0
    else:
        server, first = (head[0][0].lower() if head else ""), 1
    results = []
    for words in pieces[first:]:
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
