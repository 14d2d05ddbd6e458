"""Phone numbers: a registered hotline, a national emergency number, or neither. A resident who
pastes "113" or "0912 345 678" asks about a number, not a web address (the URL Standard would
read "113" as the IPv4 address 0.0.0.113)."""

import re

from chinhthong.verify import canonical
from chinhthong.verify.canonical import InvalidIdentifier

# The national emergency numbers every resident may call; not channels of the province, so they
# are named rather than called official.
EMERGENCY = {
    "111": "Tổng đài quốc gia bảo vệ trẻ em",
    "112": "Tìm kiếm cứu nạn",
    "113": "Công an",
    "114": "Cứu hỏa, cứu nạn cứu hộ",
    "115": "Cấp cứu y tế",
}

_DOTTED_QUAD = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
# In a message: a full Vietnamese number (+84 or 0 and nine or ten digits, spaced as people
# write them) or a 1800/1900 service number; bare short numbers would match years and amounts.
_IN_TEXT = re.compile(r"(?<![\w+])(?:(?:\+84|0)(?:[ .-]?\d){9,10}|1[89]00(?:[ .-]?\d){4,6})(?!\w)")


def phone_number(text: str) -> str | None:
    """The canonical number when ``text`` is a phone number and nothing else, else None."""
    text = text.strip()
    if not text or _DOTTED_QUAD.match(text):
        return None
    try:
        return canonical.phone(text)
    except InvalidIdentifier:
        return None


def numbers_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, number as written) of the phone numbers in a message."""
    return [(m.start(), m.end(), m.group()) for m in _IN_TEXT.finditer(text)]
