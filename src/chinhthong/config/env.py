"""Typed readers of environment variables, so settings.py reads as a list of decisions.

Every secret may also come from a file named by ``<NAME>_FILE`` (container and systemd
credentials), which keeps secrets out of process listings and shell history.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from chinhthong.config.rates import EXAMPLES, is_rate

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envsecret(name: str) -> str:
    """The secret in ``NAME``, or the content of the file named by ``NAME_FILE``; '' if neither."""
    value = os.environ.get(name, "")
    if value:
        return value
    path = os.environ.get(f"{name}_FILE", "")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file: {exc}") from exc
    return ""


def envrate(name: str, default: str) -> str:
    """A rate limit (config/rates.py), checked when the settings load: a wrong value stops
    the program with a message naming the variable, never the first request."""
    raw = os.environ.get(name, "").strip() or default
    if not is_rate(raw):
        raise ImproperlyConfigured(
            f"{name} must be a rate limit such as {EXAMPLES} (requests/period), not {raw!r}"
        )
    return raw
