"""Rate limits as operators write them, in one grammar for settings, API keys and the limiter:
``COUNT/PERIOD`` where PERIOD is a unit (s, m, h, d) with an optional number before it —
``120/m``, ``6000/m``, ``200/s``, ``5/10s``, ``100000/h``. A bare number is refused rather
than guessed at (``120`` once silently meant 120 per second)."""

import functools
import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"([1-9][0-9]{0,8})/([1-9][0-9]{0,4})?([smhd])")
EXAMPLES = "120/m, 200/s, 5/10s, 100000/h"


class RateError(ValueError):
    """Text that is not a rate limit."""


@functools.lru_cache(maxsize=256)
def parse_rate(text: str) -> tuple[int, int]:
    """``"120/m"`` -> (120, 60): requests, and the period in seconds they are counted over."""
    found = _RATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise RateError(text)
    count, number, unit = found.groups()
    return int(count), int(number or 1) * _UNITS[unit]


def is_rate(text: str) -> bool:
    try:
        parse_rate(text)
    except RateError:
        return False
    return True
