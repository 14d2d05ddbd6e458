"""Checking inputs for people and programs: the web page, the API and the CLI call these."""

import functools

from django.utils.translation import get_language, gettext

from chinhthong.checks.engines import current_engine
from chinhthong.verify import reasons as reason_texts
from chinhthong.verify.results import Reason, Result

MAX_INPUT_CHARS = 10_000
MAX_BATCH = 100
MAX_EMAIL_BYTES = 10 * 1024 * 1024
# A full batch of the longest inputs, with room for JSON escapes.
MAX_CHECK_BYTES = 4 * 1024 * 1024


class InputRejected(ValueError):
    """Input the service refuses, with a message for the user."""


def render_reason(item: Reason) -> str:
    """The reason in the active language (Vietnamese by default)."""
    return _render(item, get_language())


@functools.lru_cache(maxsize=50_000)
def _render(item: Reason, language: str) -> str:
    # Cached hosts hand back the same Reason objects, so their messages are built once.
    template = reason_texts.TEXTS.get(item.code)
    if template is None:
        return item.code
    try:
        return gettext(template) % item.params_dict
    except (KeyError, ValueError, TypeError):
        return gettext(template)


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


@functools.lru_cache(maxsize=50_000)
def _reason_dict(item: Reason, language: str) -> dict:
    return item.to_dict(_render(item, language))


@functools.lru_cache(maxsize=10_000)
def _channel_dict(channel) -> dict:
    return channel.to_dict()
