"""Reading JSON that someone else wrote: a request's body, another server's answer.

``json.loads`` recurses once per level of nesting and raises RecursionError — not ValueError —
at about a thousand levels, so two kilobytes of brackets (``[[[…]]]``) would answer 500 with a
traceback wherever a body is parsed with it. ``loads`` parses with orjson, which does not
recurse in Python and refuses more than 1,024 levels with an ordinary decode error, and then
refuses anything nested deeper than ``max_depth`` (by default far more than any real request,
and shallow enough that code walking the result — json.dumps, a JSONField — never recurses
deeply either). Every failure is one exception, ``NotJSON`` (a ValueError).

Use it for every body a client sends and every answer another server gives:

    try:
        data = safe_json.loads(request.body)
    except safe_json.NotJSON:
        ...  # 400
"""

import orjson

MAX_DEPTH = 64


class NotJSON(ValueError):
    """Not JSON (syntax, encoding: UTF-8 only, numbers out of range), or nested too deeply."""


def loads(data: bytes | bytearray | memoryview | str, *, max_depth: int = MAX_DEPTH):
    """The value ``data`` holds (UTF-8 JSON), at most ``max_depth`` levels deep."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise NotJSON(str(exc)) from exc
    if too_deep(value, max_depth):
        raise NotJSON(f"nested more than {max_depth} levels deep")
    return value


def too_deep(value, max_depth: int) -> bool:
    """Whether lists and objects nest more than ``max_depth`` levels (walked without
    recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
