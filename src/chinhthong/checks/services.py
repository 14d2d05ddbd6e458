"""Checking inputs for people and programs: the web page, the API and the CLI call these."""

import functools

import orjson
from django.utils import translation
from django.utils.translation import get_language, gettext, gettext_lazy

from chinhthong.checks.engines import current_engine
from chinhthong.verify import reasons as reason_texts
from chinhthong.verify.results import Reason, Result

MAX_INPUT_CHARS = 10_000
MAX_BATCH = 100
MAX_EMAIL_BYTES = 10 * 1024 * 1024
# A full batch of the longest inputs, with room for JSON escapes.
MAX_CHECK_BYTES = 4 * 1024 * 1024
# Against a client's rate limit, an email counts as one check per this many bytes (a large
# message costs more to parse), and a batch as one per input.
EMAIL_BYTES_PER_CHECK = 256 * 1024


def email_cost(raw: bytes) -> int:
    """How many checks an email counts as against its sender's rate limit."""
    return 1 + len(raw) // EMAIL_BYTES_PER_CHECK


class InputRejected(ValueError):
    """Input the service refuses, with a message for the user."""


# A verdict as a person reads it, for pages and the terminal alike.
VERDICT_LABELS = {
    "official": gettext_lazy("Official"),
    "impersonation": gettext_lazy("Impersonation"),
    "malicious": gettext_lazy("Dangerous"),
    "suspicious": gettext_lazy("Suspicious"),
    "unknown": gettext_lazy("Unknown"),
}


# An official sender the receiving server did not confirm: "unknown", but said as a claim that
# cannot be verified rather than as "not an official channel".
UNVERIFIED_CLAIMS = frozenset({"unauthenticated_sender", "unconfirmed_official_sender"})


def unverified_claim(result) -> bool:
    return str(result.verdict) == "unknown" and any(
        r.code in UNVERIFIED_CLAIMS for r in result.reasons
    )


def render_reason(item: Reason) -> str:
    """The reason in the active language (Vietnamese by default)."""
    return _render(item, get_language())


@functools.lru_cache(maxsize=50_000)
def _render(item: Reason, language: str) -> str:
    # Cached hosts hand back the same Reason objects, so their messages are built once, in the
    # language they are kept under whatever language the caller has active (a bulletin or a
    # reminder rendered for one recipient after another).
    template = reason_texts.TEXTS.get(item.code)
    if template is None:
        return item.code
    with translation.override(language):
        text = gettext(template)
    try:
        return text % item.params_dict
    except (KeyError, ValueError, TypeError):
        return text


def check(text: str, kind: str = "auto") -> Result:
    if not text or not text.strip():
        raise InputRejected(gettext("Paste a link, a domain, a mail address or a message."))
    if len(text) > MAX_INPUT_CHARS:
        raise InputRejected(
            gettext("The input is longer than %(limit)s characters.") % {"limit": MAX_INPUT_CHARS}
        )
    return current_engine().check(text, kind)


def check_many(texts: list[str]) -> list[Result]:
    if len(texts) > MAX_BATCH:
        raise InputRejected(gettext("At most %(limit)s inputs at a time.") % {"limit": MAX_BATCH})
    return [check(text) for text in texts]


def check_email(raw: bytes) -> Result:
    if not raw:
        raise InputRejected(gettext("The message is empty."))
    if len(raw) > MAX_EMAIL_BYTES:
        raise InputRejected(
            gettext("The message is larger than %(mb)s MB.") % {"mb": MAX_EMAIL_BYTES // 2**20}
        )
    from chinhthong.verify.mail import check_message

    return check_message(current_engine(), raw)


def as_dict(result: Result, language: str | None = None) -> dict:
    """The JSON shape of the API and of `chinhthong check --json` (Result.to_dict, with the
    parts that repeat between answers — reasons of cached hosts, channels — built once).
    ``language``: the active one, when the caller knows it (a request's LANGUAGE_CODE);
    asking for it costs more than the rest of this function."""
    language = language or get_language()
    return result.to_dict(
        reason_dict=lambda item: _reason_dict(item, language), channel_dict=_channel_dict
    )


# The part of an answer after "input" and "kind" is the same for every link on one host
# (verdict, reasons, channels), so its JSON is kept per distinct value; building and encoding
# those dicts again cost more than the check itself in a server, where the rest of each request
# leaves the processor's caches cold (bench/http_check.py).
# Bounded by entries and by size: a redirect's reason carries its whole target, so such
# answers differ per link and are not kept.
_TAIL_LIMIT = 4_096
_TAIL_BYTES = 3_000
_tails: dict[tuple, bytes] = {}


def as_json(result: Result, language: str | None = None) -> bytes:
    """``as_dict(result)`` encoded with orjson: the same bytes, faster for links on hosts
    already answered."""
    language = language or get_language()
    if result.parts:
        return orjson.dumps(as_dict(result, language))
    key = (result.verdict, result.reasons, result.channel, result.lookalike_of, language)
    tail = _tails.get(key)
    if tail is None:
        data = as_dict(result, language)
        del data["input"], data["kind"]
        tail = orjson.dumps(data)[1:]  # '"verdict":…}' without the opening brace
        if len(tail) <= _TAIL_BYTES and not any(
            r.code == "redirect_unwrapped" for r in result.reasons
        ):
            if len(_tails) >= _TAIL_LIMIT:
                _tails.clear()
            _tails[key] = tail
    head = (b'{"input":', orjson.dumps(result.input), b',"kind":', orjson.dumps(result.kind), b",")
    return b"".join((*head, tail))


@functools.lru_cache(maxsize=50_000)
def _reason_dict(item: Reason, language: str) -> dict:
    return item.to_dict(_render(item, language))


@functools.lru_cache(maxsize=10_000)
def _channel_dict(channel) -> dict:
    return channel.to_dict()
